// Worker processes get their settings through the environment (their argv names the contender).
const argv = process.env.BENCH_CHILD ? [] : process.argv.slice(2)

/** Every queue the benchmark knows, in the order it runs them. */
const CONTENDERS = ['hub', 'hub-fastest', 'graphile-default', 'graphile-fastest'] as const

/** Benchmark settings: argv `[jobs] [concurrency]` or env `BENCH_JOBS`, `BENCH_CONCURRENCY`, `DATABASE_URL`. */
export const config = {
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  jobs: Number(argv[0] ?? process.env.BENCH_JOBS ?? 100_000),
  concurrency: Number(argv[1] ?? process.env.BENCH_CONCURRENCY ?? 8),
  /** Jobs per enqueue call, for both queues. */
  enqueueBatch: 1_000,
  /** graphile-worker's local queue in its fastest configuration. */
  localQueueSize: Number(process.env.BENCH_LOCAL_QUEUE ?? 500),
  latencySamples: Number(process.env.BENCH_LATENCY_SAMPLES ?? 200),
  /**
   * Scenarios to run, for quick comparisons: `BENCH_ONLY=hub-fastest,graphile-fastest`,
   * `BENCH_PROCESSES=1`; `BENCH_ONLY=latency` (no queue name) runs only the latency test.
   */
  contenders: CONTENDERS.filter((c) => process.env.BENCH_ONLY?.split(',').includes(c) ?? true),
  processes: (process.env.BENCH_PROCESSES?.split(',') ?? ['1', '2']).map(Number),
  hubSchema: 'hub_bench',
  graphileSchema: 'graphile_bench',
}

/** Which queue a child process runs. */
export type Contender = (typeof CONTENDERS)[number]

/** graphile-worker's preset for a contender (the fastest: local queue + batched completion). */
export function graphilePreset(contender: Contender) {
  return contender === 'graphile-fastest'
    ? {
        worker: {
          localQueue: { size: config.localQueueSize },
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
        },
      }
    : {}
}

/** The environment a worker process gets: the parent's settings, whatever their source. */
export function childEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BENCH_CHILD: '1',
    DATABASE_URL: config.databaseUrl,
    BENCH_JOBS: String(config.jobs),
    BENCH_CONCURRENCY: String(config.concurrency),
    BENCH_LOCAL_QUEUE: String(config.localQueueSize),
  }
}
