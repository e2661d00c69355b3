import { afterEach, describe, expect, it } from 'vitest'
import { createFakeWoo, type FakeWoo } from '../src/woocommerce/index.js'
import { wooRequest } from './woocommerce-helpers.js'

let woo: FakeWoo
afterEach(async () => {
  await woo.close()
})

interface CallbackBody {
  key_id: number
  user_id: string
  consumer_key: string
  consumer_secret: string
  key_permissions: string
}

/** A fake store whose outbound callback POSTs answer `status` (or throw). */
function store(answer: number | Error): {
  woo: FakeWoo
  callbacks: Array<{ url: string; body: string; type: string | null }>
} {
  const callbacks: Array<{ url: string; body: string; type: string | null }> = []
  const fake = createFakeWoo({
    baseUrl: 'https://shop.test',
    fetch: async (input, init) => {
      callbacks.push({
        url: String(input),
        body: String(init?.body),
        type: new Headers(init?.headers).get('content-type'),
      })
      if (answer instanceof Error) throw answer
      return new Response(answer === 204 ? null : '', { status: answer })
    },
  })
  return { woo: fake, callbacks }
}

const AUTHORIZE =
  '/wc-auth/v1/authorize?app_name=Hub&scope=read_write&user_id=seller-1&return_url=https%3A%2F%2Fapp.test%2Freturn&callback_url=https%3A%2F%2Fapp.test%2Fcb'

async function approve(fake: FakeWoo, path = AUTHORIZE): Promise<Response> {
  const screen = await fake.handle(
    new Request(`https://shop.test${path}`, { headers: { cookie: fake.loginCookie } }),
  )
  expect(screen.status).toBe(200)
  const html = await screen.text()
  const href = /wc-auth-approve" href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&')
  expect(href).toContain('/wc-auth/v1/access_granted/')
  return fake.handle(new Request(href as string, { headers: { cookie: fake.loginCookie } }))
}

describe('fake WooCommerce wc-auth', () => {
  it('redirects a logged-out merchant to the login page, keeping the parameters', async () => {
    woo = store(200).woo
    const res = await woo.handle(new Request(`https://shop.test${AUTHORIZE}`))
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(
      'https://shop.test/wc-auth/v1/login/?app_name=Hub&user_id=seller-1&return_url=https%3A%2F%2Fapp.test%2Freturn&callback_url=https%3A%2F%2Fapp.test%2Fcb&scope=read_write',
    )
  })

  it('POSTs the new key to callback_url and redirects with success=1 when it answers 200', async () => {
    const s = store(200)
    woo = s.woo
    const res = await approve(woo)
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('https://app.test/return?success=1&user_id=seller-1')
    expect(s.callbacks).toHaveLength(1)
    expect(s.callbacks[0]?.type).toBe('application/json;charset=UTF-8')
    const body = JSON.parse(s.callbacks[0]?.body ?? '{}') as CallbackBody
    expect(body).toMatchObject({ user_id: 'seller-1', key_permissions: 'read_write' })
    expect(body.consumer_key).toMatch(/^ck_[0-9a-f]{40}$/)
    expect(body.consumer_secret).toMatch(/^cs_[0-9a-f]{40}$/)
    const use = await wooRequest(woo, 'GET', '/products', {
      auth: {
        basic: {
          consumerKey: body.consumer_key,
          consumerSecret: body.consumer_secret,
          permissions: 'read_write',
        },
      },
    })
    expect(use.status).toBe(200)
  })

  it.each([201, 204, 302, 500])(
    'deletes the key when the callback answers %i (only exactly 200 keeps it)',
    async (status) => {
      const s = store(status)
      woo = s.woo
      const res = await approve(woo)
      expect(res.status).toBe(401)
      expect(await res.text()).toContain('unable to send the consumer data.')
      const body = JSON.parse(s.callbacks[0]?.body ?? '{}') as CallbackBody
      const use = await wooRequest(woo, 'GET', '/products', {
        auth: {
          basic: {
            consumerKey: body.consumer_key,
            consumerSecret: body.consumer_secret,
            permissions: 'read_write',
          },
        },
      })
      expect(use.status).toBe(401)
    },
  )

  it('deletes the key on a transport error and shows the error', async () => {
    const s = store(new Error('cURL error 60: SSL certificate problem: self-signed certificate'))
    woo = s.woo
    const res = await approve(woo)
    expect(res.status).toBe(401)
    expect(await res.text()).toContain(
      'Error: cURL error 60: SSL certificate problem: self-signed certificate.',
    )
    expect(woo.state.keys.size).toBe(1)
  })

  it('validates scope and callback_url (https only; a missing scheme gets https://)', async () => {
    woo = store(200).woo
    const get = (path: string) =>
      woo.handle(new Request(`https://shop.test${path}`, { headers: { cookie: woo.loginCookie } }))
    const bogus = await get(AUTHORIZE.replace('read_write', 'bogus'))
    expect(bogus.status).toBe(401)
    expect(await bogus.text()).toContain('Error: Invalid scope bogus.')
    const http = await get(AUTHORIZE.replace('https%3A%2F%2Fapp.test%2Fcb', 'http%3A%2F%2Fapp.test%2Fcb'))
    expect(await http.text()).toContain('Error: The callback_url needs to be over SSL.')
    const noScheme = await get(AUTHORIZE.replace('https%3A%2F%2Fapp.test%2Fcb', 'app.test%2Fcb'))
    expect(noScheme.status).toBe(200)
    expect(await noScheme.text()).toContain('callback_url=https%3A%2F%2Fapp.test%2Fcb')
    const missing = await get('/wc-auth/v1/authorize?app_name=Hub')
    expect(await missing.text()).toContain('Error: Missing parameter scope.')
    const forged = await woo.handle(
      new Request(
        `https://shop.test${AUTHORIZE.replace('authorize', 'access_granted/')}&wc_auth_nonce=forged`,
        {
          headers: { cookie: woo.loginCookie },
        },
      ),
    )
    expect(await forged.text()).toContain('Invalid nonce verification')
  })

  it('with safeRemoteRequests, refuses a loopback or odd-port callback like wp_safe_remote_post (#8898)', async () => {
    const calls: string[] = []
    woo = createFakeWoo({
      baseUrl: 'https://shop.test',
      safeRemoteRequests: true,
      fetch: async (input) => {
        calls.push(String(input))
        return new Response('', { status: 200 })
      },
    })
    for (const callback of ['https://127.0.0.1/cb', 'https://app.test:8443/cb', 'https://10.1.2.3/cb']) {
      const path = AUTHORIZE.replace('https%3A%2F%2Fapp.test%2Fcb', encodeURIComponent(callback))
      const res = await approve(woo, path)
      expect(res.status).toBe(401)
      expect(await res.text()).toContain('Error: A valid URL was not provided.')
    }
    expect(calls).toEqual([])
    expect((await approve(woo)).status).toBe(302)
    expect(calls).toEqual(['https://app.test/cb'])
  })
})
