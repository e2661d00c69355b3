import type { Clock } from '@hub/core'
import { describe, expect, it } from 'vitest'
import type { ShopifyCredentials } from '../src/shopify-auth.js'
import { ShopifyReauthRequiredError } from '../src/shopify-errors.js'
import { ShopifyTokenManager } from '../src/shopify-token-manager.js'

const T0 = Date.parse('2026-11-25T12:00:00Z')

function clockAt(ms: number): Clock & { advance(ms: number): void } {
  let now = ms
  return { now: () => new Date(now), sleep: async () => {}, advance: (d) => (now += d) }
}

function creds(
  n: number,
  expiresAtMs: number | null,
  refresh: string | null = `shprt_${n}`,
): ShopifyCredentials {
  return {
    accessToken: `shpat_${n}`,
    scope: 'read_products',
    expiresAt: expiresAtMs === null ? null : new Date(expiresAtMs).toISOString(),
    refreshToken: refresh,
    refreshTokenExpiresAt: new Date(T0 + 90 * 86_400_000).toISOString(),
  }
}

function harness(initial: ShopifyCredentials, clock = clockAt(T0)) {
  const saved: ShopifyCredentials[] = []
  const refreshedWith: string[] = []
  let n = Number(initial.accessToken.split('_')[1])
  let fail: Error | null = null
  let saveFails = false
  const manager = new ShopifyTokenManager({ clock, skewMs: 60_000 })
  const input = {
    key: 'conn-1',
    credentials: initial,
    save: async (next: ShopifyCredentials) => {
      await new Promise((r) => setTimeout(r, 5))
      if (saveFails) throw new Error('disk full')
      saved.push(next)
    },
    refresh: async (refreshToken: string) => {
      refreshedWith.push(refreshToken)
      await new Promise((r) => setTimeout(r, 10))
      if (fail) throw fail
      n += 1
      return creds(n, clock.now().getTime() + 3_600_000)
    },
  }
  return {
    manager,
    input,
    session: manager.session(input),
    saved,
    refreshedWith,
    clock,
    failWith: (e: Error | null) => (fail = e),
    failSave: (v: boolean) => (saveFails = v),
  }
}

describe('ShopifyTokenManager', () => {
  it('uses the token as is while it is far from expiry', async () => {
    const h = harness(creds(1, T0 + 3_600_000))
    expect(await h.session.accessToken()).toBe('shpat_1')
    expect(h.refreshedWith).toEqual([])
  })

  it('refreshes within the skew before expiry, persists the pair before using it, once for concurrent callers', async () => {
    const h = harness(creds(1, T0 + 30_000))
    const other = h.manager.session({ ...h.input })
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => h.session.accessToken()),
      other.accessToken(),
    ])
    expect(new Set(tokens)).toEqual(new Set(['shpat_2']))
    expect(h.refreshedWith).toEqual(['shprt_1'])
    expect(h.saved.map((c) => c.accessToken)).toEqual(['shpat_2'])
    expect(await h.session.accessToken()).toBe('shpat_2')
  })

  it('refreshes once after a 401, and not again for a token that was already replaced', async () => {
    const h = harness(creds(1, T0 + 3_600_000))
    const after401 = await Promise.all([
      h.session.refreshAfterUnauthorized('shpat_1'),
      h.session.refreshAfterUnauthorized('shpat_1'),
    ])
    expect(after401).toEqual(['shpat_2', 'shpat_2'])
    expect(await h.session.refreshAfterUnauthorized('shpat_1')).toBe('shpat_2')
    expect(h.refreshedWith).toEqual(['shprt_1'])
    expect(await h.session.refreshAfterUnauthorized('shpat_2')).toBe('shpat_3')
    expect(h.refreshedWith).toEqual(['shprt_1', 'shprt_2'])
  })

  it('passes invalid_grant on as a re-auth error and tries again on the next call', async () => {
    const h = harness(creds(1, T0 - 1))
    h.failWith(new ShopifyReauthRequiredError('invalid_grant'))
    await expect(h.session.accessToken()).rejects.toBeInstanceOf(ShopifyReauthRequiredError)
    h.failWith(null)
    expect(await h.session.accessToken()).toBe('shpat_2')
  })

  it('never uses a refreshed pair it could not persist', async () => {
    const h = harness(creds(1, T0 - 1))
    h.failSave(true)
    await expect(h.session.accessToken()).rejects.toThrow('disk full')
    h.failSave(false)
    expect(h.refreshedWith).toEqual(['shprt_1'])
    expect(await h.session.accessToken()).toBe('shpat_3')
    expect(h.refreshedWith).toEqual(['shprt_1', 'shprt_1'])
  })

  it('asks for re-auth when there is nothing to refresh with', async () => {
    const nonExpiring = harness(creds(1, null, null))
    expect(await nonExpiring.session.accessToken()).toBe('shpat_1')
    await expect(nonExpiring.session.refreshAfterUnauthorized('shpat_1')).rejects.toBeInstanceOf(
      ShopifyReauthRequiredError,
    )
    const stale = creds(1, T0 - 1)
    stale.refreshTokenExpiresAt = new Date(T0 - 1).toISOString()
    const expired = harness(stale)
    await expect(expired.session.accessToken()).rejects.toMatchObject({
      code: 'SHOPIFY_REAUTH_REQUIRED',
      needsReauth: true,
    })
    expect(expired.refreshedWith).toEqual([])
  })

  it('prefers whichever copy of the credentials is newer', async () => {
    const h = harness(creds(1, T0 - 1))
    expect(await h.session.accessToken()).toBe('shpat_2')
    // The engine still hands out the old (pre-refresh) copy: the manager keeps the newer one.
    const again = h.manager.session({ ...h.input, credentials: creds(1, T0 - 1) })
    expect(await again.accessToken()).toBe('shpat_2')
    // A copy newer than ours (refreshed by another process) wins.
    const newer = h.manager.session({ ...h.input, credentials: creds(9, T0 + 7_200_000) })
    expect(await newer.accessToken()).toBe('shpat_9')
  })
})
