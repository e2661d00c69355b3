/** One row of the result table: a measurement, its goal and whether the goal is met. */
export interface Row {
  section: string
  measure: string
  value: string
  goal: string
  /** `true` met, `false` missed, `null` informational (no goal). */
  met: boolean | null
  note?: string
}

function verdict(met: boolean | null): string {
  if (met === null) return '—'
  return met ? 'met' : 'MISSED'
}

/** The rows as a GitHub-flavoured Markdown table (what the README pastes). */
export function renderTable(rows: readonly Row[]): string {
  const header = ['section', 'measure', 'value', 'goal', 'verdict', 'note']
  const cells = rows.map((r) => [r.section, r.measure, r.value, r.goal, verdict(r.met), r.note ?? ''])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join('\n')
}
