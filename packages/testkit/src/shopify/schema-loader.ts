import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql'

/**
 * Admin API versions whose real introspection ships with the testkit (from Shopify's
 * `@shopify/dev-mcp@1.16.0`, ISC; see `schema/LICENSE-shopify-dev-mcp.txt`). Oldest first.
 */
export const VENDORED_ADMIN_VERSIONS = ['2026-07', '2026-10'] as const

/** One of {@link VENDORED_ADMIN_VERSIONS}. */
export type VendoredAdminVersion = (typeof VENDORED_ADMIN_VERSIONS)[number]

const cache = new Map<string, GraphQLSchema>()

/** This module's folder, in the ESM source, the ESM build and the CJS build alike. */
function moduleDir(): string {
  if (typeof __dirname === 'string') return __dirname
  return dirname(fileURLToPath(import.meta.url))
}

/**
 * Where the `.json.gz` files are: next to this module when running from `src/`, or back in the
 * published `src/shopify/schema` folder when running from `dist/shopify/` (the package ships `src`).
 */
export function schemaFilePath(version: VendoredAdminVersion): string {
  const file = `admin_${version}.json.gz`
  const here = moduleDir()
  const candidates = [join(here, 'schema', file), join(here, '..', '..', 'src', 'shopify', 'schema', file)]
  const found = candidates.find((candidate) => existsSync(candidate))
  if (!found) throw new Error(`Shopify Admin schema ${file} not found (looked in ${candidates.join(', ')})`)
  return found
}

/** Whether the testkit carries the schema of `version`. */
export function isVendoredVersion(version: string): version is VendoredAdminVersion {
  return (VENDORED_ADMIN_VERSIONS as readonly string[]).includes(version)
}

/**
 * The real Admin API schema of `version`, built once per process. Built with `assumeValid`: Shopify's
 * schema breaks a few rules graphql 17 checks on schemas (deprecated interface implementations),
 * which says nothing about the operations validated against it.
 */
export function loadAdminSchema(version: VendoredAdminVersion): GraphQLSchema {
  const cached = cache.get(version)
  if (cached) return cached
  const raw = JSON.parse(gunzipSync(readFileSync(schemaFilePath(version))).toString('utf8')) as {
    data: IntrospectionQuery
  }
  const schema = buildClientSchema(raw.data, { assumeValid: true })
  cache.set(version, schema)
  return schema
}
