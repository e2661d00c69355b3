// Runs the whole vitest suite (with coverage unless HUB_COVERAGE=0), then prints one plain closing line: "N passed, N failed, N skipped".
// Exits with vitest's exit code (non-zero on any failure, or when no test ran at all).
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const out = '.test-results/results.json'
mkdirSync('.test-results', { recursive: true })
rmSync(out, { force: true })
const vitest = fileURLToPath(new URL('../node_modules/.bin/vitest', import.meta.url))
const run = spawnSync(
  vitest,
  [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    // Coverage of the whole run (report in coverage/); thresholds live in vitest.config.ts.
    ...(process.env.HUB_COVERAGE === '0' ? [] : ['--coverage']),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', shell: false },
)
if (run.error) console.error(`could not start vitest: ${run.error.message}`)
let code = run.status ?? 1
try {
  const results = JSON.parse(readFileSync(out, 'utf8'))
  const skipped = results.numPendingTests + results.numTodoTests
  console.log(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`)
  if (results.numTotalTests === 0) {
    console.error('no test ran')
    code = code || 1
  }
} catch (error) {
  console.error(`could not read the test results: ${error.message}`)
  code = code || 1
}
process.exit(code)
