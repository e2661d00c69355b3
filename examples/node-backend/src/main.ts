// Start the backend from the environment: `pnpm --filter @hub/example-node-backend start`.
import { createApp } from './app.js'
import { consoleLogger, logLevel } from './console-logger.js'
import { hostProviders } from './providers.js'

const env = process.env
const logger = consoleLogger(logLevel(env.LOG_LEVEL))
const app = createApp({
  databaseUrl: env.DATABASE_URL,
  dataDir: env.HUB_DATA_DIR,
  providers: hostProviders(env, { logger }),
  logger,
  host: env.HOST ?? '127.0.0.1',
  port: env.PORT ? Number(env.PORT) : 3000,
  operatorToken: env.OPERATOR_TOKEN,
})
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
