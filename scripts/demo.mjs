// The README's demo command runs this after installing and building: every example's `start`.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const examples = readdirSync(join(root, 'examples')).filter((d) =>
  existsSync(join(root, 'examples', d, 'package.json')),
)
for (const name of examples) {
  const pkg = JSON.parse(readFileSync(join(root, 'examples', name, 'package.json'), 'utf8'))
  if (!pkg.scripts?.start) continue
  console.log(`\n=== examples/${name}: ${pkg.description ?? ''}\n`)
  const result = spawnSync('pnpm', ['--filter', pkg.name, 'start'], { stdio: 'inherit', cwd: root })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
