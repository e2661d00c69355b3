import { randomFillSync } from 'node:crypto'

let lastMs = 0
let counter = 0
/** Random bytes drawn 4 KiB at a time (one system call per 256 ids instead of one per id). */
const pool = Buffer.alloc(4096)
let poolAt = pool.length

/**
 * A UUIDv7 string: time-ordered, so ids sort by creation (keyset pagination, "oldest first").
 * Within one millisecond a 12-bit counter keeps ids of this process strictly increasing.
 */
export function newId(): string {
  let ms = Date.now()
  if (ms <= lastMs) {
    counter++
    if (counter > 0xfff) {
      lastMs++
      counter = 0
    }
    ms = lastMs
  } else {
    lastMs = ms
    counter = 0
  }
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool)
    poolAt = 0
  }
  const bytes = pool.subarray(poolAt, poolAt + 16) // used once: written in place
  poolAt += 16
  bytes.writeUIntBE(ms, 0, 6)
  bytes[6] = 0x70 | (counter >> 8)
  bytes[7] = counter & 0xff
  bytes[8] = 0x80 | (bytes[8]! & 0x3f)
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
