import { defineConfig, type Options } from 'tsup'

/**
 * The one build every package uses: ESM + CJS + declarations for both, Node 22 target,
 * dependencies left external (tsup reads them from the package's package.json).
 */
export function packageConfig(entry: string[] | Record<string, string>, overrides: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node22',
    platform: 'node',
    splitting: false,
    treeshake: true,
    ...overrides,
  })
}
