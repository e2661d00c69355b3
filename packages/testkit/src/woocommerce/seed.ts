import { ConfigError } from '@hub/core'
import type { SeededRandom } from './rng.js'
import type { WooState } from './state.js'

/** Options of {@link FakeWoo.seedProducts}. */
export interface SeedProductsOptions {
  /** Every n-th product is variable with `variationsPerProduct` variations. Default 5 (0 = never). */
  variableEvery?: number
  variationsPerProduct?: number
  /** Stock of each managed item, or a range picked with the seeded random source. Default [0, 50]. */
  stock?: number | [number, number]
  /** SKU prefix. Default `SKU`. */
  skuPrefix?: string
}

/**
 * Create `count` published products without firing webhooks: simple ones with managed stock and,
 * every `variableEvery`-th, a variable one whose variations manage their own stock. Deterministic
 * for a given seed. Returns the parent product ids.
 */
export function seedCatalog(
  state: WooState,
  random: SeededRandom,
  count: number,
  seedOptions: SeedProductsOptions = {},
): number[] {
  if (!Number.isInteger(count) || count < 0 || count > 100_000) {
    throw new ConfigError(`seedProducts: count must be an integer in [0, 100000], got ${count}`)
  }
  const every = seedOptions.variableEvery ?? 5
  const perVariable = seedOptions.variationsPerProduct ?? 3
  const range = seedOptions.stock ?? [0, 50]
  const prefix = seedOptions.skuPrefix ?? 'SKU'
  const stock = (): number =>
    typeof range === 'number' ? range : range[0] + random.int(Math.max(1, range[1] - range[0] + 1))
  const ids: number[] = []
  for (let i = 1; i <= count; i++) {
    const sku = `${prefix}-${String(i).padStart(5, '0')}`
    const price = (5 + random.int(9500) / 100).toFixed(2)
    if (every > 0 && i % every === 0) {
      const sizes = Array.from({ length: perVariable }, (_, n) => `Size ${n + 1}`)
      const parent = state.createProduct(
        {
          type: 'variable',
          name: `Product ${i}`,
          sku,
          attributes: [{ id: 0, name: 'Size', position: 0, visible: true, variation: true, options: sizes }],
        },
        { silent: true },
      )
      for (const [n, size] of sizes.entries()) {
        state.createProduct(
          {
            parentId: parent.id,
            sku: `${sku}-${n + 1}`,
            regularPrice: price,
            manageStock: true,
            stockQuantity: stock(),
            variationAttributes: [{ id: 0, name: 'Size', option: size }],
          },
          { silent: true },
        )
      }
      ids.push(parent.id)
    } else {
      const p = state.createProduct(
        { name: `Product ${i}`, sku, regularPrice: price, manageStock: true, stockQuantity: stock() },
        { silent: true },
      )
      ids.push(p.id)
    }
  }
  return ids
}
