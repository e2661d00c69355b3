/**
 * Serialize like PHP's `json_encode` / `wp_json_encode` with default flags: `/` is escaped as `\/`
 * and every non-ASCII UTF-16 unit as `\uXXXX`. WooCommerce signs these exact bytes, so receivers
 * must verify the raw body and never re-serialize it.
 */
export function phpJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null'
  return json.replace(/[/\u0080-\uffff]/g, (ch) =>
    ch === '/' ? '\\/' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}
