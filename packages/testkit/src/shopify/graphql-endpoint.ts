import {
  type DocumentNode,
  type ExecutionResult,
  executeSync,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql'
import type { PageMode } from './connection.js'
import type { ResolverContext } from './context.js'
import { calculateQueryCost, type LeakyBucket, SINGLE_QUERY_MAX_COST, type ThrottleStatus } from './cost.js'
import { mutationRoot, queryRoot } from './root-resolvers.js'

/** `extensions.cost` of every answer. */
export interface CostExtension {
  requestedQueryCost: number
  actualQueryCost: number | null
  throttleStatus: ThrottleStatus
}

/** A GraphQL answer: HTTP status, JSON body, extra headers. */
export interface GraphQLAnswer {
  status: number
  body: unknown
  headers?: Record<string, string>
}

const rootValue = { ...queryRoot, ...mutationRoot }

/**
 * Rewrites graphql-js validation messages into the wording and `extensions.code` Shopify
 * (graphql-ruby) uses for the common cases; others keep graphql-js's message.
 */
export function shopifyValidationError(error: GraphQLError): GraphQLFormattedError {
  const locations = error.locations ? [...error.locations] : undefined
  const base = (message: string, extensions: Record<string, unknown>): GraphQLFormattedError => ({
    message,
    ...(locations ? { locations } : {}),
    extensions,
  })
  const m = error.message
  let match = /^Cannot query field "([^"]+)" on type "([^"]+)"/.exec(m)
  if (match)
    return base(`Field '${match[1]}' doesn't exist on type '${match[2]}'`, {
      code: 'undefinedField',
      typeName: match[2],
      fieldName: match[1],
    })
  match = /^Unknown argument "([^"]+)" on field "([^".]+)\.([^"]+)"/.exec(m)
  if (match) {
    return base(`Field '${match[3]}' doesn't accept argument '${match[1]}'`, {
      code: 'argumentNotAccepted',
      name: match[3],
      typeName: 'Field',
      argumentName: match[1],
    })
  }
  match = /^Argument "[^".]+\.([^"(]+)\(([^:]+):\)" of type "[^"]+" is required/.exec(m)
  if (match) {
    return base(`Field '${match[1]}' is missing required arguments: ${match[2]}`, {
      code: 'missingRequiredArguments',
      className: 'Field',
      name: match[1],
      arguments: match[2],
    })
  }
  match = /^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields/.exec(m)
  if (match) {
    const field = match[1] ?? ''
    const typeName = (match[2] ?? '').replace(/[![\]]/g, '')
    return base(
      `Field must have selections (field '${field}' returns ${typeName} but has no selections. Did you mean '${field} { ... }'?)`,
      {
        code: 'selectionMismatch',
        nodeName: `field '${field}'`,
        typeName,
      },
    )
  }
  match = /^Variable "\$([^"]+)" is not defined/.exec(m)
  if (match)
    return base(`Variable $${match[1]} is used but not declared`, {
      code: 'variableNotDefined',
      variableName: match[1],
    })
  match = /^Unknown type "([^"]+)"/.exec(m)
  if (match)
    return base(`${match[1]} isn't a defined input type`, {
      code: 'variableRequiresValidType',
      typeName: match[1],
    })
  return base(m, { code: 'validationError' })
}

/** Everything one request needs. */
export interface GraphQLRequestContext {
  schema: GraphQLSchema
  bucket: LeakyBucket
  throttledStatus: 200 | 429
  resolverContext: Omit<ResolverContext, 'mode'>
}

function costExtension(
  bucket: LeakyBucket,
  requested: number,
  actual: number | null,
): { cost: CostExtension } {
  return { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } }
}

function pickOperation(
  document: DocumentNode,
  operationName: string | undefined,
): OperationDefinitionNode | string {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )
  if (operationName)
    return operations.find((o) => o.name?.value === operationName) ?? `No operation named "${operationName}"`
  if (operations.length === 1 && operations[0]) return operations[0]
  return operations.length === 0 ? 'No operations in query document' : 'An operation name is required'
}

/** Runs `document` against the fake's resolvers (also used window by window by bulk operations). */
export function runDocument(
  ctx: GraphQLRequestContext,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | undefined,
  mode: PageMode,
): ExecutionResult {
  const contextValue: ResolverContext = { ...ctx.resolverContext, mode }
  return executeSync({
    schema: ctx.schema,
    document,
    rootValue,
    contextValue,
    variableValues: variables,
    operationName,
  })
}

/**
 * The GraphQL Admin endpoint after routing and authentication: parse, validate against the real
 * schema, price (MAX_COST_EXCEEDED, THROTTLED), execute, refund the difference, answer with
 * `extensions.cost`. Invalid operations answer HTTP 200 with an `errors` array, as Shopify does.
 */
export function answerGraphQL(
  ctx: GraphQLRequestContext,
  payload: { query?: unknown; variables?: unknown; operationName?: unknown },
): GraphQLAnswer {
  if (typeof payload.query !== 'string' || payload.query.trim() === '') {
    return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } }
  }
  const variables =
    payload.variables && typeof payload.variables === 'object' && !Array.isArray(payload.variables)
      ? (payload.variables as Record<string, unknown>)
      : {}
  const operationName = typeof payload.operationName === 'string' ? payload.operationName : undefined
  let document: DocumentNode
  try {
    document = parse(payload.query)
  } catch (error) {
    const e = error as GraphQLError
    return {
      status: 200,
      body: {
        errors: [
          {
            message: e.message,
            ...(e.locations ? { locations: e.locations } : {}),
            extensions: { code: 'parseError' },
          },
        ],
      },
    }
  }
  const validationErrors = validate(ctx.schema, document)
  if (validationErrors.length > 0) {
    return { status: 200, body: { errors: validationErrors.map(shopifyValidationError) } }
  }
  const operation = pickOperation(document, operationName)
  if (typeof operation === 'string') {
    return { status: 200, body: { errors: [{ message: operation, extensions: { code: 'BAD_REQUEST' } }] } }
  }
  const fragments: Record<string, FragmentDefinitionNode> = {}
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition
  }
  const rootType =
    operation.operation === 'mutation' ? ctx.schema.getMutationType() : ctx.schema.getQueryType()
  if (!rootType)
    return { status: 200, body: { errors: [{ message: 'Schema is not configured for this operation' }] } }
  const costInput = {
    operation,
    fragments,
    variables,
    rootType,
    schemaType: (name: string) => ctx.schema.getType(name) ?? undefined,
  }
  const requested = calculateQueryCost(costInput)
  if (requested > SINGLE_QUERY_MAX_COST) {
    return {
      status: 200,
      body: {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: SINGLE_QUERY_MAX_COST },
          },
        ],
        extensions: costExtension(ctx.bucket, requested, null),
      },
    }
  }
  if (!ctx.bucket.take(requested)) {
    const waitS = Math.max(1, Math.ceil((requested - ctx.bucket.available()) / ctx.bucket.restoreRate))
    return {
      status: ctx.throttledStatus,
      headers: ctx.throttledStatus === 429 ? { 'retry-after': String(waitS) } : {},
      body: {
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        extensions: costExtension(ctx.bucket, requested, null),
      },
    }
  }
  const result = runDocument(ctx, document, variables, operationName, {})
  if (result.data === undefined || result.data === null) {
    ctx.bucket.refund(requested)
    const errors = (result.errors ?? []).map((e) => {
      const json = e.toJSON()
      return { ...json, extensions: { code: 'INVALID_VARIABLE', ...(json.extensions ?? {}) } }
    })
    return { status: 200, body: { errors, extensions: costExtension(ctx.bucket, requested, null) } }
  }
  const actual =
    operation.operation === 'mutation' ? requested : calculateQueryCost({ ...costInput, data: result.data })
  ctx.bucket.refund(Math.max(0, requested - actual))
  const body: Record<string, unknown> = {}
  if (result.errors?.length) body.errors = result.errors.map((e) => e.toJSON())
  body.data = result.data
  body.extensions = costExtension(ctx.bucket, requested, actual)
  return { status: 200, body }
}
