/** Where the demo writes: whole lines, and (on a terminal) in-place redraws. */
export interface DemoOutput {
  /** Print one line. */
  line(text: string): void
  /** A terminal that understands `\r` redraws; false in CI, pipes and tests. */
  tty: boolean
  /** Raw write without a newline (used only when `tty`). */
  write(text: string): void
}

/** The process's stdout. */
export function stdoutOutput(): DemoOutput {
  return {
    line: (text) => process.stdout.write(`${text}\n`),
    tty: Boolean(process.stdout.isTTY) && !process.env.CI,
    write: (text) => process.stdout.write(text),
  }
}

/** Lines kept in memory (tests). */
export function memoryOutput(): DemoOutput & { lines: string[] } {
  const lines: string[] = []
  return { lines, line: (text) => lines.push(text), tty: false, write: () => {} }
}

/** A progress bar. */
export interface Progress {
  update(done: number): void
  /** Final state, always printed as a whole line. */
  finish(done: number, note?: string): void
}

const WIDTH = 30

function bar(done: number, total: number): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total)
  const filled = Math.round(ratio * WIDTH)
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(done).padStart(String(total).length)}/${total} ${String(Math.floor(ratio * 100)).padStart(3)}%`
}

/**
 * A plain-ASCII progress bar. On a terminal it redraws one line with `\r`; elsewhere (CI, a
 * pipe) it prints a line at every quarter and at least every `everyMs`, so logs stay short.
 */
export function progress(out: DemoOutput, label: string, total: number, everyMs = 2000): Progress {
  let lastQuarter = -1
  let lastPrinted = 0
  let lastDone = -1
  return {
    update(done) {
      if (done === lastDone) return
      lastDone = done
      if (out.tty) {
        out.write(`\r${label} ${bar(done, total)}`)
        return
      }
      const quarter = total === 0 ? 4 : Math.floor((done / total) * 4)
      const now = Date.now()
      if (quarter > lastQuarter || now - lastPrinted >= everyMs) {
        lastQuarter = quarter
        lastPrinted = now
        out.line(`${label} ${bar(done, total)}`)
      }
    },
    finish(done, note) {
      const text = `${label} ${bar(done, total)}${note ? `  ${note}` : ''}`
      if (out.tty) out.write(`\r${text}\n`)
      else out.line(text)
    },
  }
}

/** Render rows as a fixed-width text table (first column left-aligned, the others right-aligned). */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format)]
}

/** `1234` → `1.23 s`, `87` → `87 ms`. */
export function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`
}
