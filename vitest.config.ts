import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url))
const packages = readdirSync(packagesDir)

/** Workspace packages resolve to their TypeScript sources, so tests never need a build first. */
const alias = packages.flatMap((name) => [
  { find: new RegExp(`^@hub/${name}$`), replacement: `${packagesDir}${name}/src/index.ts` },
  { find: new RegExp(`^@hub/${name}/(.+)$`), replacement: `${packagesDir}${name}/src/$1/index.ts` },
])

export default defineConfig({
  test: {
    projects: [
      ...packages.map((name) => ({
        resolve: { alias },
        test: {
          name: `@hub/${name}`,
          root: `${packagesDir}${name}`,
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      })),
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          root: fileURLToPath(new URL('./e2e/', import.meta.url)),
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'examples',
          root: fileURLToPath(new URL('./examples/', import.meta.url)),
          include: ['*/test/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/index.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
      reportOnFailure: true,
      // The engine is the spine: its line coverage may not drop below 90 %.
      thresholds: { 'packages/core/src/**/*.ts': { lines: 90 } },
    },
  },
})
