import { describe, expect, it } from 'vitest'
import { RetryableError } from '../src/index.js'
import { acmeRequest, harness } from './support/harness.js'

const SECRET = 'tok_live_9f8e7d6c5b4a'

describe('secrets never leak', () => {
  it('a credential secret appears in no stored row, attempt, error or log line', async () => {
    const h = await harness()
    h.scripts.set('leaky', async (ctx) => {
      const token = (ctx.credentials as { apiToken: string }).apiToken
      ctx.recordExcerpt({
        request: {
          url: `https://a.acme.test/api?token=${token}`,
          headers: { authorization: `Bearer ${token}` },
        },
      })
      ctx.logger.info({ token, nested: { deep: [`x-${token}-y`] } }, `calling with ${token}`)
      throw new RetryableError('UPSTREAM', `401 for token ${token} (${encodeURIComponent(token)})`)
    })
    await h.hub.webhooks(acmeRequest({ id: 'evt-secret', topic: 'x', scripts: ['leaky'] }))
    await h.hub.worker().drain()
    const dump: unknown[] = [
      await h.store.listWebhookEvents(h.scope),
      await h.store.listRuns(h.scope),
      await h.store.listItems(h.scope),
      h.logs.lines,
    ]
    for (const item of await h.store.listItems(h.scope))
      dump.push(await h.store.listAttempts(h.scope, item.id))
    const text = JSON.stringify(dump)
    expect(text).toContain('UPSTREAM') // the error itself is kept…
    expect(text).not.toContain(SECRET) // …without the secret, in any form
    expect(text).not.toContain(encodeURIComponent(SECRET))
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64'))
    expect(text).not.toContain('whsec_acme_super_secret_value')
    // Credentials are stored encrypted, never as plain text.
    const [connection] = await h.store.listConnections(h.scope)
    expect(JSON.stringify(connection)).not.toContain(SECRET)
    expect(await h.hub.connections.credentials(h.scope, h.connection.id)).toMatchObject({ apiToken: SECRET })
  })

  it('webhook signature headers are not stored', async () => {
    const h = await harness()
    await h.hub.webhooks(acmeRequest({ id: 'evt-h', topic: 'x' }))
    const [event] = await h.store.listWebhookEvents(h.scope)
    expect(event?.headers['x-acme-shop']).toBe('a.acme.test')
    expect(event?.headers['x-acme-signature']).not.toMatch(/^[A-Za-z0-9+/=]{40,}$/)
  })
})
