/**
 * The system benchmark: webhook ingest (in process and over HTTP), propagation of sales between
 * the marketplace, Shopify and WooCommerce, and a 10,000-product import. Prints one table.
 *
 *   pnpm --filter @hub/bench system [--quick] [--only=ingest,http,propagation,import]
 */
import { execFileSync } from 'node:child_process'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { config, type Section } from './config.js'
import { runHttpLoad } from './http-load.js'
import { runImport } from './import.js'
import { runIngest } from './ingest.js'
import { runPropagation } from './propagation.js'
import { fmt } from './stats.js'
import { type Row, renderTable } from './table.js'

const runners: Record<Section, () => Promise<Row[]>> = {
  ingest: runIngest,
  http: runHttpLoad,
  propagation: runPropagation,
  import: runImport,
}

/** The commit measured, and whether the packages differ from it in the working tree. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()
    const packages = fileURLToPath(new URL('../../packages', import.meta.url))
    const dirty = git('status', '--porcelain', '--', packages).length > 0
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in packages/' : ''}`
  } catch {
    return 'commit unknown'
  }
}

const load = () =>
  loadavg()
    .map((l) => fmt(l, 1))
    .join(' / ')
const loadBefore = load()
const started = performance.now()
const rows: Row[] = []
for (const section of config.sections) {
  const t0 = performance.now()
  console.error(`[bench] ${section}…`)
  rows.push(...(await runners[section]()))
  console.error(`[bench] ${section} done in ${fmt((performance.now() - t0) / 1000)} s`)
}
console.log(
  `Commerce Hub system benchmark${config.quick ? ' (--quick)' : ''}, ${new Date().toISOString()}, ` +
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB`,
)
console.log(`${revision()}; load average (1/5/15 min) ${loadBefore} at start, ${load()} at the end`)
console.log('')
console.log(renderTable(rows))
console.log('')
console.log(`total ${fmt((performance.now() - started) / 1000)} s`)
if (rows.some((r) => r.met === false)) process.exitCode = 1
