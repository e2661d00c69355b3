import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import {
  buildClientSchema,
  type GraphQLSchema,
  isInputObjectType,
  NoDeprecatedCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql'
import { describe, expect, it } from 'vitest'
import { SHOPIFY_API_VERSION } from '../src/shopify-client.js'
import { INVENTORY_ADJUST_MUTATION, SHOPIFY_GRAPHQL_DOCUMENTS } from '../src/shopify-operations.js'

/**
 * Shopify's Admin schema for the pinned version, vendored once in testkit (from @shopify/dev-mcp).
 * `assumeValid`: graphql 17 refuses Shopify's schema over a deprecation rule it added
 * (`ChannelDefinition.id`); documents are still fully validated against it.
 */
const schemaFile = fileURLToPath(
  new URL(`../../testkit/src/shopify/schema/admin_${SHOPIFY_API_VERSION}.json.gz`, import.meta.url),
)
const schema: GraphQLSchema = buildClientSchema(
  JSON.parse(gunzipSync(readFileSync(schemaFile)).toString('utf8')).data,
  {
    assumeValid: true,
  },
)

function errorsOf(document: string, rules = specifiedRules): string[] {
  return validate(schema, parse(document), rules).map((e) => e.message)
}

describe(`every GraphQL operation the adapter sends validates against the Admin ${SHOPIFY_API_VERSION} schema`, () => {
  const documents = Object.entries(SHOPIFY_GRAPHQL_DOCUMENTS)

  it('has operations to check', () => {
    expect(documents.length).toBeGreaterThanOrEqual(10)
  })

  it.each(documents)('%s is valid', (_name, document) => {
    expect(errorsOf(document)).toEqual([])
  })

  it.each(documents)('%s uses no deprecated field or argument', (_name, document) => {
    expect(errorsOf(document, [NoDeprecatedCustomRule])).toEqual([])
  })

  it('would catch a wrong document (the check is not vacuous)', () => {
    expect(errorsOf('query { shop { noSuchField } }')).not.toEqual([])
    expect(
      errorsOf('mutation { inventoryAdjustQuantities(input: {}) @idempotent { userErrors { code } } }'),
    ).not.toEqual([])
  })
})

describe('inventory writes follow the 2026-04+ rules', () => {
  it('sends @idempotent(key:) on the adjust mutation and the schema knows the directive', () => {
    expect(schema.getDirective('idempotent')?.args.map((a) => `${a.name}: ${a.type}`)).toEqual([
      'key: String!',
    ])
    expect(INVENTORY_ADJUST_MUTATION).toMatch(
      /inventoryAdjustQuantities\(input: \$input\) @idempotent\(key: \$idempotencyKey\)/,
    )
  })

  it('has changeFromQuantity on InventoryChangeInput for the compare-and-swap delta', () => {
    const input = schema.getType('InventoryChangeInput')
    if (!isInputObjectType(input)) throw new Error('InventoryChangeInput missing')
    expect(String(input.getFields()['changeFromQuantity']?.type)).toBe('Int')
  })
})
