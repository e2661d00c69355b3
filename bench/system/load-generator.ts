/**
 * The HTTP load generator, run in a worker thread (its own event loop, so it does not share the
 * server's): sends every delivery once to the hub's endpoint with `concurrency` requests in
 * flight over keep-alive connections (Node's fetch, undici), and reports statuses and timing.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { SignedDelivery } from './deliveries.js'

/** What the load generator is given. */
export interface LoadInput {
  baseUrl: string
  deliveries: SignedDelivery[]
  concurrency: number
}

/** What it reports back. */
export interface LoadResult {
  elapsedMs: number
  /** Answers by HTTP status (`error` for a transport failure). */
  statuses: Record<string, number>
  /** Sum of `created` (items) over the 200 answers. */
  created: number
  /** 200 answers whose body said `accepted` (not `duplicate`). */
  accepted: number
  /** Request latencies (ms), as the client saw them. */
  latencies: number[]
  firstError: string | null
}

async function generate(input: LoadInput): Promise<LoadResult> {
  const statuses: Record<string, number> = {}
  const latencies: number[] = []
  let created = 0
  let accepted = 0
  let firstError: string | null = null
  let next = 0
  const sendOne = async (delivery: SignedDelivery) => {
    const t0 = performance.now()
    try {
      const response = await fetch(`${input.baseUrl}${delivery.path}`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      })
      const text = await response.text()
      latencies.push(performance.now() - t0)
      statuses[response.status] = (statuses[response.status] ?? 0) + 1
      if (response.status === 200) {
        const answer = JSON.parse(text) as { status?: string; created?: number }
        created += answer.created ?? 0
        if (answer.status === 'accepted') accepted += 1
      } else {
        firstError ??= `${response.status} ${text.slice(0, 200)}`
      }
    } catch (error) {
      statuses.error = (statuses.error ?? 0) + 1
      firstError ??= error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error)
    }
  }
  const lane = async () => {
    while (next < input.deliveries.length) {
      const delivery = input.deliveries[next]!
      next += 1
      await sendOne(delivery)
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: input.concurrency }, lane))
  return { elapsedMs: performance.now() - started, statuses, created, accepted, latencies, firstError }
}

if (parentPort) {
  const port = parentPort
  void generate(workerData as LoadInput).then((result) => port.postMessage(result))
}
