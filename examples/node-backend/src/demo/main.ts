// The demo (`./hub demo`, or `pnpm --filter @hub/example-node-backend demo`): no database, no
// network. DEMO_PRODUCTS sets the products per store (default 150); LOG_LEVEL shows the backend's logs.
import { silentLogger } from '@hub/core'
import { consoleLogger, logLevel } from '../console-logger.js'
import { runDemo } from './run-demo.js'

const products = process.env.DEMO_PRODUCTS ? Number(process.env.DEMO_PRODUCTS) : 150
if (!Number.isInteger(products) || products < 10 || products > 500) {
  console.error('DEMO_PRODUCTS must be an integer from 10 to 500')
  process.exit(2)
}
try {
  const report = await runDemo({
    products,
    logger: process.env.LOG_LEVEL ? consoleLogger(logLevel(process.env.LOG_LEVEL)) : silentLogger,
  })
  process.exit(report.ok ? 0 : 1)
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
