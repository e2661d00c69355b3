/**
 * One worker process of the benchmark. Prints `ready` once it listens for work, then works until
 * the parent writes `stop` on stdin.
 */
import { createInterface } from 'node:readline'
import { postgresStore } from '@hub/store-postgres'
import { Logger, run } from 'graphile-worker'
import { type Contender, config, graphilePreset } from './config.js'
import { processCpuSeconds, withApplicationName } from './cpu.js'
import { hubLoop } from './hub-loop.js'

const contender = process.argv[2] as Contender
const workerId = process.argv[3] ?? `bench-${process.pid}`
const silent = new Logger(() => () => {})
/** The parent finds this scenario's server backends by their application name. */
const connectionString = withApplicationName(config.databaseUrl, process.env.BENCH_APP ?? 'hub_bench')

async function start(): Promise<() => Promise<void>> {
  if (contender === 'hub' || contender === 'hub-fastest') {
    const store = postgresStore({ connectionString, schema: config.hubSchema })
    const fastest = contender === 'hub-fastest'
    const loop = hubLoop(store, {
      workerId,
      concurrency: config.concurrency,
      prefetch: fastest ? config.localQueueSize : 0,
      releaseSlotOnFinish: fastest,
    })
    await store.listening()
    return async () => {
      await loop.stop()
      await store.close()
    }
  }
  const runner = await run({
    connectionString,
    schema: config.graphileSchema,
    concurrency: config.concurrency,
    noHandleSignals: true,
    logger: silent,
    taskList: { noop: async () => {} },
    preset: graphilePreset(contender),
  })
  return () => runner.stop()
}

const stop = await start()
// CPU from here on: the work, not the start-up (module loading, migrations check).
const cpu0 = process.cpuUsage()
process.stdout.write('ready\n')
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'stop') break
}
process.stdout.write(`cpu ${processCpuSeconds(cpu0)}\n`)
await stop()
process.exit(0)
