/**
 * WordPress's `_fields` filter (`rest_filter_response_fields`): keep only the listed top-level
 * fields (or nested ones with dots, e.g. `_links.self`) of an object or of each item of a list.
 */
export function filterFields(body: unknown, fields: string): unknown {
  const wanted = fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
  if (wanted.length === 0) return body
  const pick = (obj: unknown): unknown => {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return obj
    const out: Record<string, unknown> = {}
    for (const path of wanted) {
      const parts = path.split('.')
      let src: unknown = obj
      let dst: Record<string, unknown> = out
      for (const [i, part] of parts.entries()) {
        if (typeof src !== 'object' || src === null || !(part in src)) break
        const value = (src as Record<string, unknown>)[part]
        if (i === parts.length - 1) dst[part] = value
        else {
          const next = (dst[part] as Record<string, unknown> | undefined) ?? {}
          dst[part] = next
          dst = next
          src = value
        }
      }
    }
    return out
  }
  return Array.isArray(body) ? body.map(pick) : pick(body)
}
