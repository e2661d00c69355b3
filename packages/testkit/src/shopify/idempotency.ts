import { type FieldNode, GraphQLError, type GraphQLResolveInfo, Kind } from 'graphql'

/** Mutations that need `@idempotent(key:)` from 2026-04 on (fact sheet §9). */
export const IDEMPOTENT_MUTATIONS: ReadonlySet<string> = new Set([
  'inventoryAdjustQuantities',
  'inventorySetQuantities',
  'inventoryMoveQuantities',
  'inventorySetOnHandQuantities',
  'inventoryShipmentCreate',
  'inventoryShipmentCreateInTransit',
  'inventoryShipmentReceive',
  'refundCreate',
])

/** The text Shopify answers when the directive is missing. */
export const IDEMPOTENT_REQUIRED_MESSAGE =
  'The @idempotent directive is required for this mutation but was not provided.'

/** Whether `apiVersion` enforces the directive (2026-04 and later, and `unstable`). */
export function idempotencyRequired(apiVersion: string): boolean {
  return apiVersion === 'unstable' || apiVersion >= '2026-04'
}

/** The `key` of `@idempotent` on the field being resolved, or undefined when the directive is absent. */
export function idempotencyKey(
  info: GraphQLResolveInfo,
  variables: Record<string, unknown>,
): string | undefined {
  const field: FieldNode | undefined = info.fieldNodes[0]
  const directive = field?.directives?.find((d) => d.name.value === 'idempotent')
  const arg = directive?.arguments?.find((a) => a.name.value === 'key')
  if (!arg) return undefined
  if (arg.value.kind === Kind.STRING) return arg.value.value
  if (arg.value.kind === Kind.VARIABLE) {
    const value = variables[arg.value.name.value]
    return typeof value === 'string' ? value : undefined
  }
  return undefined
}

/** Throws Shopify's BAD_REQUEST when a mutation that needs the directive has none. */
export function requireIdempotencyKey(info: GraphQLResolveInfo, variables: Record<string, unknown>): string {
  const key = idempotencyKey(info, variables)
  if (key === undefined)
    throw new GraphQLError(IDEMPOTENT_REQUIRED_MESSAGE, { extensions: { code: 'BAD_REQUEST' } })
  return key
}

function stableStringify(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`
}

interface StoredResult {
  fingerprint: string
  result: unknown
}

/** Remembers each idempotency key's arguments and result, per mutation, for the life of the fake. */
export class IdempotencyStore {
  readonly #results = new Map<string, StoredResult>()
  /** How many times a stored result was replayed instead of running again. */
  replays = 0

  /**
   * Runs `execute` once per key: the same key with the same arguments returns the stored result
   * (no second effect); the same key with other arguments returns `mismatch()`.
   */
  run<T>(mutation: string, key: string, args: unknown, execute: () => T, mismatch: () => T): T {
    const id = `${mutation}\u0000${key}`
    const fingerprint = stableStringify(args)
    const stored = this.#results.get(id)
    if (stored) {
      if (stored.fingerprint !== fingerprint) return mismatch()
      this.replays += 1
      return stored.result as T
    }
    const result = execute()
    this.#results.set(id, { fingerprint, result })
    return result
  }
}
