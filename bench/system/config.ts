/**
 * Settings of the system benchmark: `--quick` for a smoke run, `--only=<sections>` to run some
 * sections, every size overridable by an environment variable.
 */
const args = process.argv.slice(2)
const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1'

/** The sections of the benchmark, in the order they run. */
export const SECTIONS = ['ingest', 'http', 'propagation', 'import'] as const
/** One section of the benchmark. */
export type Section = (typeof SECTIONS)[number]

function number(name: string, full: number, small: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return quick ? small : full
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`)
  return value
}

function sections(): Section[] {
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? process.env.BENCH_ONLY
  if (!only) return [...SECTIONS]
  const wanted = only.split(',').map((s) => s.trim())
  for (const name of wanted) {
    if (!(SECTIONS as readonly string[]).includes(name))
      throw new Error(`unknown section "${name}" (sections: ${SECTIONS.join(', ')})`)
  }
  return SECTIONS.filter((s) => wanted.includes(s))
}

/** Benchmark settings, resolved once at start-up. */
export const config = {
  quick,
  sections: sections(),
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  /** Prefix of the schemas the benchmark creates (and drops) on that database. */
  schemaPrefix: process.env.BENCH_SCHEMA_PREFIX ?? 'bench_system',
  /** Connections of the store's pool (and of the baseline, which shares it). */
  poolSize: number('BENCH_POOL', 10, 10),
  /** In-process ingest: deliveries timed one at a time, per provider (after a warm-up). */
  ingestSamples: number('BENCH_INGEST_SAMPLES', 2_000, 200),
  /** Over HTTP: deliveries sent by the load generator (half Shopify, half WooCommerce). */
  httpDeliveries: number('BENCH_HTTP_DELIVERIES', 10_000, 1_000),
  /** Over HTTP: requests in flight at once. */
  httpConcurrency: number('BENCH_HTTP_CONCURRENCY', 64, 64),
  /** Propagation: sales per origin (marketplace, Shopify, WooCommerce). */
  propagationSales: number('BENCH_PROPAGATION_SALES', 100, 10),
  /** Propagation: products on all three sides (sales go round-robin over them). */
  propagationProducts: number('BENCH_PROPAGATION_PRODUCTS', 20, 5),
  /** Propagation: worker concurrency. */
  workerConcurrency: number('BENCH_WORKER_CONCURRENCY', 8, 8),
  /** Import: products in the fake Shopify (3 variants each). */
  importProducts: number('BENCH_IMPORT_PRODUCTS', 10_000, 1_000),
  /** Import in page mode: products in the fake Shopify (its wall time is bound by the rate limit). */
  importPageProducts: number('BENCH_IMPORT_PAGE_PRODUCTS', 1_000, 200),
  /** Give up on one sale / one import after this long. */
  timeoutMs: number('BENCH_TIMEOUT_MS', 600_000, 120_000),
}
