import type { Json } from '@hub/core'

/**
 * Thrown by {@link parseJsonLossless} on text that is not valid JSON. Carries the offset of the
 * first offending character.
 */
export class JsonSyntaxError extends SyntaxError {
  /** Offset of the first offending character in the input text. */
  readonly offset: number
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`)
    this.name = 'JsonSyntaxError'
    this.offset = offset
  }
}

const INTEGER = /^-?\d+$/

/** An integer literal that a JS number cannot hold exactly stays a string of its exact digits. */
function exactNumber(source: string): number | string {
  const value = Number(source)
  if (INTEGER.test(source) && !Number.isSafeInteger(value)) return source
  return value
}

type SourceReviver = (key: string, value: unknown, context?: { source?: string }) => unknown

function probeSourceText(): boolean {
  let seen = false
  const reviver: SourceReviver = (_key, value, context) => {
    if (context?.source === '1') seen = true
    return value
  }
  JSON.parse('1', reviver as (key: string, value: unknown) => unknown)
  return seen
}

/** Whether this runtime's `JSON.parse` passes the source text of primitives to revivers (ES2025). */
const hasSourceText = probeSourceText()

/**
 * Parse JSON without losing integers above 2^53: such integers come back as strings holding their
 * exact digits (Shopify's REST-style webhook ids, e.g. `788032119674292922`); every other value
 * parses as `JSON.parse` would. Uses the native reviver source text where the runtime has it
 * (Node 24), else a small tokenizer (Node 22). Throws {@link JsonSyntaxError} on invalid JSON.
 */
export function parseJsonLossless(text: string): Json {
  if (!hasSourceText) return parseJsonWithTokenizer(text)
  const reviver: SourceReviver = (_key, value, context) =>
    typeof value === 'number' && context?.source !== undefined ? exactNumber(context.source) : value
  try {
    return JSON.parse(text, reviver as (key: string, value: unknown) => unknown) as Json
  } catch (error) {
    throw new JsonSyntaxError((error as Error).message, 0)
  }
}

/**
 * The tokenizer behind {@link parseJsonLossless} on runtimes without reviver source text. Exported
 * so tests run it on every runtime; prefer {@link parseJsonLossless}.
 */
export function parseJsonWithTokenizer(text: string): Json {
  const parser = new Tokenizer(text)
  parser.skipSpace()
  const value = parser.value(0)
  parser.skipSpace()
  if (parser.pos !== text.length) parser.fail('Unexpected trailing data')
  return value
}

const MAX_DEPTH = 512
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}

class Tokenizer {
  pos = 0
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos)
  }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos)
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return
      this.pos++
    }
  }

  value(depth: number): Json {
    if (depth > MAX_DEPTH) this.fail('Nesting too deep')
    const c = this.text[this.pos]
    if (c === '{') return this.object(depth)
    if (c === '[') return this.array(depth)
    if (c === '"') return this.string()
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number()
    for (const [word, result] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length
        return result
      }
    }
    return this.fail(
      c === undefined ? 'Unexpected end of input' : `Unexpected character ${JSON.stringify(c)}`,
    )
  }

  private object(depth: number): Json {
    const result: { [key: string]: Json } = {}
    this.pos++
    this.skipSpace()
    if (this.text[this.pos] === '}') {
      this.pos++
      return result
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('Expected a property name')
      const key = this.string()
      this.skipSpace()
      if (this.text[this.pos] !== ':') this.fail('Expected ":"')
      this.pos++
      this.skipSpace()
      // defineProperty keeps a `__proto__` key an own property, as JSON.parse does.
      Object.defineProperty(result, key, {
        value: this.value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      })
      this.skipSpace()
      const next = this.text[this.pos++]
      if (next === '}') return result
      if (next !== ',') this.fail('Expected "," or "}"')
      this.skipSpace()
    }
  }

  private array(depth: number): Json {
    const result: Json[] = []
    this.pos++
    this.skipSpace()
    if (this.text[this.pos] === ']') {
      this.pos++
      return result
    }
    for (;;) {
      result.push(this.value(depth + 1))
      this.skipSpace()
      const next = this.text[this.pos++]
      if (next === ']') return result
      if (next !== ',') this.fail('Expected "," or "]"')
      this.skipSpace()
    }
  }

  private number(): Json {
    NUMBER.lastIndex = this.pos
    const match = NUMBER.exec(this.text)
    if (!match) return this.fail('Invalid number')
    this.pos += match[0].length
    return exactNumber(match[0])
  }

  private string(): string {
    let result = ''
    let start = ++this.pos
    for (;;) {
      const c = this.text.charCodeAt(this.pos)
      if (Number.isNaN(c)) this.fail('Unterminated string')
      if (c < 0x20) this.fail('Control character in string')
      if (c === 0x22) {
        result += this.text.slice(start, this.pos++)
        return result
      }
      if (c === 0x5c) {
        result += this.text.slice(start, this.pos)
        const escaped = this.text[this.pos + 1] ?? ''
        if (escaped === 'u') {
          const hex = this.text.slice(this.pos + 2, this.pos + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid unicode escape')
          result += String.fromCharCode(Number.parseInt(hex, 16))
          this.pos += 6
        } else {
          const replacement = ESCAPES[escaped]
          if (replacement === undefined) this.fail('Invalid escape')
          result += replacement
          this.pos += 2
        }
        start = this.pos
        continue
      }
      this.pos++
    }
  }
}
