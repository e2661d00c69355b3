import { describe, expect, it } from 'vitest'
import { ConfigError, createHub, createKeyring, memoryMarketplace, memoryStore } from '../src/index.js'
import { acmeProvider, acmeShop } from './support/acme-provider.js'

const keyring = createKeyring({ keys: { k1: Buffer.alloc(32, 1) }, currentKeyId: 'k1' })

describe('createHub wiring', () => {
  it('refuses a provider registered twice', () => {
    const p = acmeProvider(acmeShop())
    expect(() =>
      createHub({ store: memoryStore(), providers: [p, p], marketplace: memoryMarketplace(), keyring }),
    ).toThrow(/registered twice/)
  })

  it('refuses an unsupported ProviderAdapter version, naming both versions', () => {
    const p = { ...acmeProvider(acmeShop()), specificationVersion: 'v9' }
    let error: unknown
    try {
      createHub({ store: memoryStore(), providers: [p], marketplace: memoryMarketplace(), keyring })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect(String((error as Error).message)).toMatch(/"v9".*"v1"/)
  })

  it('refuses an adapter that redefines a core operation', () => {
    const base = acmeProvider(acmeShop())
    const p = { ...base, operations: { ...base.operations, 'inventory.reconcile': async () => undefined } }
    expect(() =>
      createHub({ store: memoryStore(), providers: [p], marketplace: memoryMarketplace(), keyring }),
    ).toThrow(/core operation/)
  })

  it('refuses missing parts and connections to unregistered providers', async () => {
    expect(() => createHub({} as never)).toThrow(ConfigError)
    const hub = createHub({
      store: memoryStore(),
      providers: [acmeProvider(acmeShop())],
      marketplace: memoryMarketplace(),
      keyring,
    })
    await expect(
      hub.connections.create({ sellerId: 's', provider: 'nope', externalAccountId: 'x' }),
    ).rejects.toThrow(/not registered/)
  })

  it('stores the account id in the canonical form of the provider', async () => {
    const p = { ...acmeProvider(acmeShop()), normalizeAccountId: (id: string) => id.trim().toLowerCase() }
    const hub = createHub({ store: memoryStore(), providers: [p], marketplace: memoryMarketplace(), keyring })
    const c = await hub.connections.create({
      sellerId: 's',
      provider: 'acme',
      externalAccountId: '  Shop.ACME.test ',
    })
    expect(c.externalAccountId).toBe('shop.acme.test')
    expect((await hub.store.findConnectionByAccount('acme', 'shop.acme.test'))?.id).toBe(c.id)
  })
})
