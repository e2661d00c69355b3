import { describe, expect, it } from 'vitest'
import { type DemoOutput, memoryOutput, progress, table } from '../src/demo/output.js'

describe('demo output', () => {
  it('without a terminal, a progress bar prints whole lines at each quarter only', () => {
    const out = memoryOutput()
    const bar = progress(out, 'import', 8, Number.POSITIVE_INFINITY)
    for (let done = 0; done <= 8; done++) bar.update(done)
    bar.finish(8, 'product requests')
    expect(out.lines).toEqual([
      'import [..............................] 0/8   0%',
      'import [########......................] 2/8  25%',
      'import [###############...............] 4/8  50%',
      'import [#######################.......] 6/8  75%',
      'import [##############################] 8/8 100%',
      'import [##############################] 8/8 100%  product requests',
    ])
    expect(out.lines.some((l) => l.includes('\r'))).toBe(false)
  })

  it('on a terminal, it redraws one line with a carriage return and ends it with a newline', () => {
    const writes: string[] = []
    const out: DemoOutput = { tty: true, line: (t) => writes.push(`${t}\n`), write: (t) => writes.push(t) }
    const bar = progress(out, 'approve', 2)
    bar.update(1)
    bar.update(1)
    bar.finish(2)
    expect(writes).toEqual([
      '\rapprove [###############...............] 1/2  50%',
      '\rapprove [##############################] 2/2 100%\n',
    ])
  })

  it('renders aligned tables', () => {
    expect(
      table(
        ['SKU', 'qty'],
        [
          ['A-1', '5'],
          ['LONG-SKU', '12'],
        ],
      ),
    ).toEqual(['SKU       qty', '--------  ---', 'A-1         5', 'LONG-SKU   12'])
  })
})
