// Runs the whole vitest suite, then prints one plain closing line: "N passed, N failed, N skipped".
// Exits with vitest's exit code (non-zero on any failure, or when no test ran at all).
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'

const out = '.test-results/results.json'
mkdirSync('.test-results', { recursive: true })
rmSync(out, { force: true })
const run = spawnSync(
  'vitest',
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { stdio: 'inherit', shell: false },
)
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
