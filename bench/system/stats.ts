/** Percentiles of a list of samples (nearest-rank). */
export interface Summary {
  count: number
  p50: number
  p99: number
  max: number
}

/** Nearest-rank p50 / p99 / max of `samples` (ms, or any unit). Throws on an empty list. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples')
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! }
}

/** `1234.5` → `"1,234.5"` with `digits` decimals. */
export function fmt(value: number, digits = 1): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Milliseconds as `"3.2 ms"` or `"1.25 s"`. */
export function ms(value: number): string {
  return value >= 1000 ? `${fmt(value / 1000, 2)} s` : `${fmt(value, value < 10 ? 2 : 1)} ms`
}

/** Bytes as MB. */
export function mb(bytes: number): string {
  return `${fmt(bytes / 1024 / 1024, 0)} MB`
}

/** Resolves after `delay` ms. */
export const sleep = (delay: number) => new Promise<void>((resolve) => setTimeout(resolve, delay))

/** Polls `done` every `everyMs` until it is true; throws after `timeoutMs` naming `what`. */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
  everyMs = 1,
): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** Samples the process's resident set size every 20 ms; `stop()` returns the peak seen. */
export function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage().rss)
    },
  }
}
