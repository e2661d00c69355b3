import { HttpError } from './http-json.js'

/** Parses one value or throws; core's zod enums (`itemStatusSchema`, …) fit as they are. */
export interface EnumSchema<T extends string> {
  readonly options: readonly T[]
  safeParse(value: unknown): { success: true; data: T } | { success: false }
}

/** An optional identifier-like query parameter (ids, operation names). */
export function textParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name)
  if (value === null || value === '') return undefined
  if (value.length > 200) throw new HttpError(400, 'QUERY_INVALID', `${name} is too long`)
  return value
}

/** An optional `limit` between 1 and `max`. */
export function limitParam(query: URLSearchParams, max = 500): number | undefined {
  const value = query.get('limit')
  if (value === null || value === '') return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new HttpError(400, 'QUERY_INVALID', `limit must be an integer from 1 to ${max}`)
  }
  return n
}

/** An optional comma-separated list of values of an enum. */
export function enumListParam<T extends string>(
  query: URLSearchParams,
  name: string,
  schema: EnumSchema<T>,
): T[] | undefined {
  const value = query.get(name)
  if (value === null || value === '') return undefined
  return value.split(',').map((v) => {
    const parsed = schema.safeParse(v.trim())
    if (!parsed.success) {
      throw new HttpError(400, 'QUERY_INVALID', `${name} must be one of ${schema.options.join(', ')}`)
    }
    return parsed.data
  })
}

/** An optional single value of an enum. */
export function enumParam<T extends string>(
  query: URLSearchParams,
  name: string,
  schema: EnumSchema<T>,
): T | undefined {
  const list = enumListParam(query, name, schema)
  if (list && list.length > 1) throw new HttpError(400, 'QUERY_INVALID', `${name} takes one value`)
  return list?.[0]
}

/** An {@link EnumSchema} over a fixed list of strings (for enums that are not zod schemas). */
export function oneOf<T extends string>(options: readonly T[]): EnumSchema<T> {
  return {
    options,
    safeParse: (value) =>
      options.includes(value as T) ? { success: true, data: value as T } : { success: false },
  }
}
