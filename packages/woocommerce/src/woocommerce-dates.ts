/** Format a date as WooCommerce's filters take it (UTC, with `dates_are_gmt=true`). */
export function toWooGmt(date: Date): string {
  return date.toISOString().slice(0, 19)
}

/** Parse a WooCommerce `_gmt` date (`YYYY-MM-DDTHH:MM:SS`, no zone) as UTC. */
export function parseWooGmt(value: string | null | undefined): Date | null {
  if (!value) return null
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`)
  return Number.isNaN(date.getTime()) ? null : date
}
