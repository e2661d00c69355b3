// Prints the line coverage of each package's src/ from coverage/coverage-summary.json.
import { readFileSync } from 'node:fs'

const summary = JSON.parse(readFileSync('coverage/coverage-summary.json', 'utf8'))
const byPackage = new Map()
for (const [file, value] of Object.entries(summary)) {
  const match = file.match(/\/packages\/([^/]+)\/src\//)
  if (!match) continue
  const acc = byPackage.get(match[1]) ?? { total: 0, covered: 0 }
  acc.total += value.lines.total
  acc.covered += value.lines.covered
  byPackage.set(match[1], acc)
}
for (const [name, { total, covered }] of [...byPackage].sort()) {
  console.log(
    `@hub/${name.padEnd(16)} lines ${((100 * covered) / Math.max(total, 1)).toFixed(2).padStart(6)}% (${covered}/${total})`,
  )
}
