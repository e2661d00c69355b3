/**
 * Serialize like PHP's `json_encode` / `wp_json_encode` with default flags: `/` is escaped as `\/`
 * and every non-ASCII UTF-16 unit as `\uXXXX`. WooCommerce signs these exact bytes, so receivers
 * must verify the raw body and never re-serialize it.
 */
export function phpJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null'
  let out = ''
  for (let i = 0; i < json.length; i++) {
    const ch = json.charCodeAt(i)
    if (ch === 0x2f) out += '\\/'
    else if (ch > 0x7e) out += '\\u' + ch.toString(16).padStart(4, '0')
    else out += json[i]
  }
  return out
}
