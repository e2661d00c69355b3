// One-off helper kept for contributors: scaffolds a package with the project's standard layout.
// usage: node scripts/scaffold-package.mjs <name> "<description>" [dep@range ...]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const [name, description, ...deps] = process.argv.slice(2)
if (!name || !description) {
  console.error('usage: node scripts/scaffold-package.mjs <name> "<description>" [dep@range ...]')
  process.exit(2)
}
const dir = join('packages', name)
if (existsSync(dir)) {
  console.error(`${dir} exists`)
  process.exit(1)
}
mkdirSync(join(dir, 'src'), { recursive: true })
mkdirSync(join(dir, 'test'), { recursive: true })
const dependencies = Object.fromEntries(
  deps.map((d) => {
    const at = d.lastIndexOf('@')
    return at > 0 ? [d.slice(0, at), d.slice(at + 1)] : [d, '*']
  }),
)
const pkg = {
  name: `@hub/${name}`,
  version: '0.0.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  engines: { node: '>=22.12.0' },
  repository: { type: 'git', url: 'git+https://github.com/commerce-hub/commerce-hub.git', directory: dir },
  files: ['dist', 'src', 'README.md', 'CHANGELOG.md'],
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  exports: {
    '.': {
      '@hub/source': './src/index.ts',
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc -p tsconfig.json',
    test: 'vitest run --project @hub/' + name,
    'check:package': 'publint --strict && attw --pack . --profile node16',
  },
  dependencies,
  publishConfig: { access: 'public' },
}
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', '*.ts'] }, null, 2) + '\n',
)
writeFileSync(
  join(dir, 'tsup.config.ts'),
  "import { packageConfig } from '../../tsup.base'\n\nexport default packageConfig(['src/index.ts'])\n",
)
writeFileSync(join(dir, 'CHANGELOG.md'), `# @hub/${name}\n`)
