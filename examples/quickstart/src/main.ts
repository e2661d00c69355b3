import { runQuickstart } from './run-quickstart.js'

const report = await runQuickstart((line) => console.log(line))
console.log('\nquantity per side (every row must be equal across):')
console.table(report.rows)
console.log('items by status:', report.items)
console.log('webhook answers:', report.webhookStatuses.join(' '))
console.log(`done in ${report.ms} ms`)
const equal = report.rows.every((r) => r.marketplace === r.storeA && r.storeA === r.storeB)
if (!equal) {
  console.error('sides differ')
  process.exit(1)
}
