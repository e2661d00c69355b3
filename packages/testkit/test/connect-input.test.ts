import { describe, expect, it } from 'vitest'
import { createFakeWoo } from '../src/woocommerce/index.js'
import { gql, setup } from './shopify-helpers.js'

describe('connectInput: a connection to a fake without the auth flow', () => {
  it('Shopify: a non-expiring token the shop accepts, its domain and default location', async () => {
    const { fake, clock } = setup()
    const input = fake.connectInput()
    expect(input).toMatchObject({
      provider: 'shopify',
      externalAccountId: 'demo.myshopify.com',
      settings: { locationId: fake.state.defaultLocationId },
    })
    const credentials = input.credentials as { accessToken: string; scope: string }
    // A non-expiring token: still accepted after the one-hour life of an expiring one.
    clock.advance(2 * 3600 * 1000)
    expect((await gql(fake, credentials.accessToken, '{ shop { name } }')).status).toBe(200)
    expect(fake.connectInput().credentials).not.toEqual(input.credentials)
  })

  it('WooCommerce: its default key, its URL, and the webhook secret when given', async () => {
    const woo = createFakeWoo({ baseUrl: 'https://shop.example.test' })
    const input = woo.connectInput({ webhookSecret: 'whsec' })
    expect(input).toEqual({
      provider: 'woocommerce',
      externalAccountId: 'https://shop.example.test',
      credentials: {
        consumerKey: woo.credentials.consumerKey,
        consumerSecret: woo.credentials.consumerSecret,
        webhookSecret: 'whsec',
      },
    })
    expect(woo.connectInput().credentials).not.toHaveProperty('webhookSecret')
  })
})
