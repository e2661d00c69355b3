// The README's demo command (`./hub demo`) runs this after installing and building.
import { spawnSync } from 'node:child_process'

/** The demos, in order: [workspace package, script, what it shows]. */
const DEMOS = [
  ['@hub/example-quickstart', 'start', 'the smallest complete host: a custom provider, webhooks, a worker'],
  [
    '@hub/example-node-backend',
    'demo',
    'one seller, fake Shopify + fake WooCommerce on 127.0.0.1, real OAuth and wc-auth, import, approve, sales on all three sides',
  ],
]

for (const [pkg, script, what] of DEMOS) {
  console.log(`\n=== ${pkg}: ${what}\n`)
  const result = spawnSync('pnpm', ['--silent', '--filter', pkg, 'run', script], { stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(`${pkg} ${script} failed`)
    process.exit(result.status ?? 1)
  }
}
