/** A parameter as PHP's `$_GET` holds it: a string, or one level of `name[key]` entries. */
export type PhpParam = string | Array<[string, string]>

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

function nextIndex(list: Array<[string, string]>): number {
  let max = -1
  for (const [k] of list) if (/^(0|[1-9]\d*)$/.test(k)) max = Math.max(max, Number(k))
  return max + 1
}

/**
 * Parse a query string as PHP fills `$_GET`: `+` and `%XX` decode, `.` and space in a name become
 * `_`, a repeated plain name keeps the last value, `name[]` / `name[key]` build one-level arrays.
 * WooCommerce signs OAuth requests over what PHP parsed, so the fake verifies over the same.
 */
export function parsePhpQuery(search: string): Record<string, PhpParam> {
  const params: Record<string, PhpParam> = {}
  const query = search.startsWith('?') ? search.slice(1) : search
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const rawName = decode(eq === -1 ? pair : pair.slice(0, eq))
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1))
    const open = rawName.indexOf('[')
    const close = open === -1 ? -1 : rawName.indexOf(']', open)
    if (open > 0 && close !== -1) {
      const name = rawName.slice(0, open).replace(/[. ]/g, '_')
      const existing = params[name]
      const list = Array.isArray(existing) ? existing : []
      const inner = rawName.slice(open + 1, close)
      const key = inner === '' ? String(nextIndex(list)) : inner
      const at = list.findIndex(([k]) => k === key)
      if (at === -1) list.push([key, value])
      else list[at] = [key, value]
      params[name] = list
    } else {
      params[rawName.replace(/[. ]/g, '_')] = value
    }
  }
  return params
}
