/**
 * A JSON value that may hold `bigint`s. Webhook bodies carry numeric ids above 2^53, which a plain
 * `JSON.stringify` of numbers would round; bigints are written as exact digits instead.
 */
export type LosslessJson =
  | null
  | boolean
  | number
  | string
  | bigint
  | LosslessJson[]
  | { [key: string]: LosslessJson }

/** Serializes a {@link LosslessJson} value; bigints become bare JSON numbers with every digit kept. */
export function losslessStringify(value: LosslessJson): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'bigint':
      return value.toString()
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'string':
      return JSON.stringify(value)
    default:
      break
  }
  if (Array.isArray(value)) return `[${value.map(losslessStringify).join(',')}]`
  const parts: string[] = []
  for (const [key, item] of Object.entries(value))
    parts.push(`${JSON.stringify(key)}:${losslessStringify(item)}`)
  return `{${parts.join(',')}}`
}
