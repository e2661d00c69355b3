import { describe, expect, it } from 'vitest'
import { JsonSyntaxError, parseJsonLossless, parseJsonWithTokenizer } from '../src/shopify-json.js'
import { webhookSamples } from './fixtures.js'

const parsers = [
  ['native source-text reviver', parseJsonLossless],
  ['tokenizer (Node 22 path)', parseJsonWithTokenizer],
] as const

describe.each(parsers)('%s', (_name, parse) => {
  it('keeps integers above 2^53 as their exact digits and everything else as JSON.parse does', () => {
    const parsed = parse(
      '{"big":788032119674292922,"neg":-9007199254740993,"safe":9007199254740991,"f":1.5,"e":1e3}',
    )
    expect(parsed).toEqual({
      big: '788032119674292922',
      neg: '-9007199254740993',
      safe: 9007199254740991,
      f: 1.5,
      e: 1000,
    })
  })

  it('matches JSON.parse on documents without big integers', () => {
    const docs = [
      '{"a":[1,2,{"b":null}],"c":"\\u00e9\\n\\"x\\"","d":true,"e":false,"f":-0.25e-2}',
      ' [ ] ',
      '"just a string"',
      '0',
      '{"nested":{"deeper":{"deepest":[[],[{}]]}}}',
      '{"emoji":"\\ud83d\\ude00","slash":"a\\/b"}',
    ]
    for (const doc of docs) expect(parse(doc)).toEqual(JSON.parse(doc))
  })

  it('keeps a __proto__ key as an own property, like JSON.parse', () => {
    const parsed = parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('rejects every malformed document with JsonSyntaxError', () => {
    const bad = [
      '',
      '{',
      '{"a":1,}',
      '[1,]',
      '{"a" 1}',
      "{'a':1}",
      '01',
      '1.',
      '.5',
      '+1',
      'nul',
      '"tab\there"',
      '{"a":1}x',
      '"\\x"',
      '"\\u12"',
      'NaN',
      '[1 2]',
    ]
    for (const doc of bad) {
      expect(() => JSON.parse(doc), doc).toThrow()
      expect(() => parse(doc), doc).toThrow(JsonSyntaxError)
    }
  })

  it('parses every Shopify webhook sample to the same tree as the other path', () => {
    for (const sample of webhookSamples()) {
      expect(parse(sample.rawPayload), sample.file).toEqual(parseJsonWithTokenizer(sample.rawPayload))
    }
  })
})

describe('parseJsonWithTokenizer limits', () => {
  it('refuses absurd nesting with a typed error instead of overflowing the stack', () => {
    expect(() => parseJsonWithTokenizer('['.repeat(100_000))).toThrow(JsonSyntaxError)
  })
})
