import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { toNodeHandler } from '../src/index.js'
import { signAcme } from './support/acme-provider.js'
import { acmeRequest, harness } from './support/harness.js'

describe('webhook ingest', () => {
  it('stores the event, creates a run and its items, answers 200', async () => {
    const h = await harness()
    const res = await h.hub.webhooks(
      acmeRequest({ id: 'evt-1', topic: 'inventory/update', inventoryItemIds: ['sku1', 'sku2'] }),
    )
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; created: number; eventId: string }
    expect(body).toMatchObject({ status: 'accepted', created: 2 })
    const [event] = await h.store.listWebhookEvents(h.scope)
    expect(event).toMatchObject({ providerEventId: 'evt-1', status: 'processed', topic: 'inventory/update' })
    const items = await h.store.listItems(h.scope, { runId: event!.runId! })
    expect(items.map((i) => i.externalId).sort()).toEqual(['sku1', 'sku2'])
    expect(items.every((i) => i.idempotencyKey.startsWith('evt:evt-1:'))).toBe(true)
  })

  it('50 concurrent identical deliveries produce one event and one run', async () => {
    const h = await harness()
    const body = { id: 'evt-dup', topic: 'inventory/update', inventoryItemIds: ['sku1'] }
    const responses = await Promise.all(Array.from({ length: 50 }, () => h.hub.webhooks(acmeRequest(body))))
    expect(responses.every((r) => r.status === 200)).toBe(true)
    const statuses = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { status: string }).status),
    )
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1)
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(49)
    expect(await h.store.listWebhookEvents(h.scope)).toHaveLength(1)
    expect(await h.store.listRuns(h.scope)).toHaveLength(1)
    expect(await h.store.listItems(h.scope)).toHaveLength(1)
  })

  it('answers 401 on a wrong signature and stores nothing', async () => {
    const h = await harness()
    const res = await h.hub.webhooks(
      acmeRequest({ id: 'e', topic: 't' }, { signature: signAcme('other body') }),
    )
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'WEBHOOK_SIGNATURE_INVALID' })
    expect(await h.store.listWebhookEvents(h.scope)).toHaveLength(0)
    expect(h.logs.lines.some((l) => l.level === 'warn' && /refused/.test(l.message ?? ''))).toBe(true)
  })

  it('answers 404 for an unknown shop and an unknown provider', async () => {
    const h = await harness()
    expect(
      (await h.hub.webhooks(acmeRequest({ id: 'e', topic: 't' }, { shop: 'nobody.acme.test' }))).status,
    ).toBe(404)
    const other = new Request('http://localhost/hooks/nope', { method: 'POST', body: '{}' })
    expect((await h.hub.webhooks(other)).status).toBe(404)
  })

  it('answers 400 on malformed input: missing account header, non-JSON body, missing fields', async () => {
    const h = await harness()
    const noShop = new Request('http://localhost/hooks/acme', { method: 'POST', body: '{}' })
    expect((await h.hub.webhooks(noShop)).status).toBe(400)
    const text = 'not json'
    const notJson = new Request('http://localhost/hooks/acme', {
      method: 'POST',
      headers: { 'x-acme-shop': 'a.acme.test', 'x-acme-signature': signAcme(text) },
      body: text,
    })
    expect((await h.hub.webhooks(notJson)).status).toBe(400)
    expect((await h.hub.webhooks(acmeRequest({ topic: 'missing-id' }))).status).toBe(400)
    expect(await h.store.listWebhookEvents(h.scope)).toHaveLength(0)
  })

  it('answers 405 to GET, 200 to a ping without storing it', async () => {
    const h = await harness()
    expect((await h.hub.webhooks(new Request('http://localhost/hooks/acme'))).status).toBe(405)
    const ping = await h.hub.webhooks(acmeRequest({ topic: 'ping' }))
    expect(ping.status).toBe(200)
    expect(await ping.json()).toMatchObject({ status: 'ping' })
    expect(await h.store.listWebhookEvents(h.scope)).toHaveLength(0)
  })

  it('records events of a revoked connection as ignored without creating work', async () => {
    const h = await harness()
    await h.hub.connections.setStatus(h.scope, h.connection.id, 'revoked', 'app uninstalled')
    const res = await h.hub.webhooks(
      acmeRequest({ id: 'late', topic: 'inventory/update', inventoryItemIds: ['sku1'] }),
    )
    expect(res.status).toBe(200)
    const [event] = await h.store.listWebhookEvents(h.scope)
    expect(event?.status).toBe('ignored')
    expect(await h.store.listItems(h.scope)).toHaveLength(0)
  })

  it('re-plans a stored event that never got its run (crash between store and plan)', async () => {
    const h = await harness()
    const body = { id: 'evt-crash', topic: 'inventory/update', inventoryItemIds: ['sku9'] }
    // Simulate the crash: the event row exists, no run was created.
    await h.store.recordWebhookEvent({
      provider: 'acme',
      providerEventId: 'evt-crash',
      connectionId: h.connection.id,
      sellerId: h.scope.sellerId,
      topic: 'inventory/update',
      occurredAt: null,
      receivedAt: h.clock.now(),
      headers: {},
      payload: body,
    })
    // A duplicate soon after does not re-plan (the original planner may still be running)…
    expect(await (await h.hub.webhooks(acmeRequest(body))).json()).toMatchObject({ status: 'duplicate' })
    h.clock.advance(10_000)
    // …the sweep does, and a later duplicate then finds it processed.
    expect(await h.hub.sweep(h.scope)).toEqual({ reaped: 0, replanned: 1 })
    expect((await h.store.listItems(h.scope)).map((i) => i.externalId)).toEqual(['sku9'])
    expect(await (await h.hub.webhooks(acmeRequest(body))).json()).toMatchObject({ status: 'duplicate' })
    expect(await h.store.listItems(h.scope)).toHaveLength(1)
  })

  it('works behind node:http through toNodeHandler, with raw bytes intact', async () => {
    const h = await harness()
    const server = createServer(toNodeHandler(h.hub.webhooks))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const text = '{"id":"evt-node",  "topic":"inventory/update","inventoryItemIds":["sku1"]}'
      const res = await fetch(`http://127.0.0.1:${port}/hooks/acme`, {
        method: 'POST',
        headers: { 'x-acme-shop': 'a.acme.test', 'x-acme-signature': signAcme(text) },
        body: text,
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ status: 'accepted', created: 1 })
      const bad = await fetch(`http://127.0.0.1:${port}/hooks/acme`, {
        method: 'POST',
        headers: { 'x-acme-shop': 'a.acme.test', 'x-acme-signature': signAcme(text.replace('  ', ' ')) },
        body: text,
      })
      expect(bad.status).toBe(401)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
