// Start the backend from the environment: `pnpm --filter @hub/example-node-backend start`.
import { ConfigError } from '@hub/core'
import { type App, createApp } from './app.js'
import { consoleLogger, logLevel } from './console-logger.js'
import { hostProviders } from './providers.js'

const env = process.env
const logger = consoleLogger(logLevel(env.LOG_LEVEL))
let app: App
try {
  app = createApp({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.HUB_DATA_DIR,
    providers: hostProviders(env, { logger }),
    logger,
    host: env.HOST ?? '127.0.0.1',
    port: env.PORT ? Number(env.PORT) : 3000,
    operatorToken: env.OPERATOR_TOKEN,
  })
} catch (error) {
  // Invalid settings: say which, without a stack trace.
  if (!(error instanceof ConfigError)) throw error
  console.error(`configuration error: ${error.message}`)
  process.exit(2)
}
const { url } = await app.start()
logger.info({ url }, `listening on ${url} (webhooks: POST ${url}/hooks/:provider, operator API: ${url}/api)`)

let stopping = false
const shutdown = (signal: string) => {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'stopping')
  app.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: String(error) }, 'stop failed')
      process.exit(1)
    },
  )
}
process.on('SIGINT', () => shutdown('SIGINT'))
process.on('SIGTERM', () => shutdown('SIGTERM'))
