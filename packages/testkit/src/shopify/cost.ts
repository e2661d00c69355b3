import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql'
import type { FakeClock } from './clock.js'

/** A mutation field costs this much, whatever it selects. */
export const MUTATION_COST = 10
/** A single query may not request more than this, whatever the plan. */
export const SINGLE_QUERY_MAX_COST = 1000

interface CostContext {
  fragments: Record<string, FragmentDefinitionNode>
  variables: Record<string, unknown>
  schemaType: (name: string) => GraphQLNamedType | undefined
}

function isConnection(type: GraphQLNamedType): type is GraphQLCompositeType {
  return (
    isObjectType(type) &&
    type.name.endsWith('Connection') &&
    ('edges' in type.getFields() || 'nodes' in type.getFields())
  )
}

function argInt(field: FieldNode, name: string, variables: Record<string, unknown>): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === name)
  if (!arg) return undefined
  const value: ValueNode = arg.value
  if (value.kind === Kind.INT) return Number(value.value)
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value]
    return typeof v === 'number' ? v : undefined
  }
  return undefined
}

/** Connection page size as Shopify charges it: `first` or `last`, else 0. */
function pageSize(field: FieldNode, variables: Record<string, unknown>): number {
  return argInt(field, 'first', variables) ?? argInt(field, 'last', variables) ?? 0
}

type DataValue = unknown

/**
 * Cost of a selection set on `parentType`. With `data` it is the *actual* cost (connections sized by
 * what came back); without, the *requested* cost (connections sized by first/last).
 * Fields of other type conditions (interfaces, unions) count as the most expensive branch.
 */
function selectionSetCost(
  selectionSet: SelectionSetNode,
  parentType: GraphQLCompositeType,
  ctx: CostContext,
  data: DataValue,
  actual: boolean,
): number {
  let base = 0
  const branches: number[] = []
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      base += fieldCost(selection, parentType, ctx, data, actual)
      continue
    }
    const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection : ctx.fragments[selection.name.value]
    if (!inner) continue
    const condition = inner.typeCondition ? ctx.schemaType(inner.typeCondition.name.value) : parentType
    const conditionType = condition && isCompositeType(condition) ? condition : parentType
    if (actual && data && typeof data === 'object' && '__typename' in data && conditionType !== parentType) {
      if (
        (data as { __typename?: unknown }).__typename !== conditionType.name &&
        !isInterfaceType(conditionType)
      )
        continue
    }
    const cost = selectionSetCost(inner.selectionSet, conditionType, ctx, data, actual)
    if (conditionType === parentType) base += cost
    else branches.push(cost)
  }
  return base + (branches.length > 0 ? Math.max(...branches) : 0)
}

function fieldCost(
  field: FieldNode,
  parentType: GraphQLCompositeType,
  ctx: CostContext,
  data: DataValue,
  actual: boolean,
): number {
  const name = field.name.value
  if (name.startsWith('__')) return 0
  if (!('getFields' in parentType)) return 0
  const def = parentType.getFields()[name]
  if (!def) return 0
  const type = getNamedType(def.type)
  if (isLeafType(type) || !isCompositeType(type) || !field.selectionSet) return 0
  const key = field.alias?.value ?? name
  const value =
    actual && data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined
  if (isConnection(type)) return connectionCost(field, type, ctx, value, actual)
  if (actual && Array.isArray(value)) {
    return (
      1 +
      value.reduce<number>(
        (sum, item) => sum + selectionSetCost(field.selectionSet as SelectionSetNode, type, ctx, item, true),
        0,
      )
    )
  }
  return 1 + selectionSetCost(field.selectionSet, type, ctx, value, actual)
}

/** Per-node cost of a connection's `nodes { … }` / `edges { node { … } }` selection (the larger one). */
function perNodeCost(
  field: FieldNode,
  type: GraphQLCompositeType,
  ctx: CostContext,
  node: DataValue,
  actual: boolean,
): number {
  const fields = 'getFields' in type ? type.getFields() : {}
  let best = 0
  for (const selection of field.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD) continue
    const nodeType = (sub: string) => {
      const def = fields[sub]
      const named = def ? getNamedType(def.type) : undefined
      return named && isCompositeType(named) ? named : undefined
    }
    if (selection.name.value === 'nodes' && selection.selectionSet) {
      const t = nodeType('nodes')
      if (t) best = Math.max(best, 1 + selectionSetCost(selection.selectionSet, t, ctx, node, actual))
    }
    if (selection.name.value === 'edges' && selection.selectionSet) {
      const edgeType = nodeType('edges')
      if (!edgeType || !('getFields' in edgeType)) continue
      for (const edgeSel of selection.selectionSet.selections) {
        if (edgeSel.kind !== Kind.FIELD || edgeSel.name.value !== 'node' || !edgeSel.selectionSet) continue
        const def = edgeType.getFields().node
        const t = def ? getNamedType(def.type) : undefined
        if (t && isCompositeType(t))
          best = Math.max(best, 1 + selectionSetCost(edgeSel.selectionSet, t, ctx, node, actual))
      }
    }
  }
  return best
}

function connectionNodes(value: DataValue, field: FieldNode): DataValue[] {
  if (!value || typeof value !== 'object') return []
  const record = value as Record<string, unknown>
  for (const selection of field.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FIELD) continue
    const key = selection.alias?.value ?? selection.name.value
    const list = record[key]
    if (!Array.isArray(list)) continue
    if (selection.name.value === 'nodes') return list
    if (selection.name.value === 'edges') {
      const nodeSel = selection.selectionSet?.selections.find(
        (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'node',
      )
      const nodeKey = nodeSel?.alias?.value ?? 'node'
      return list.map((edge) =>
        edge && typeof edge === 'object' ? (edge as Record<string, unknown>)[nodeKey] : undefined,
      )
    }
  }
  return []
}

/** Connections cost 2, plus each (requested or returned) node's cost. */
function connectionCost(
  field: FieldNode,
  type: GraphQLCompositeType,
  ctx: CostContext,
  value: DataValue,
  actual: boolean,
): number {
  if (!actual) return 2 + pageSize(field, ctx.variables) * perNodeCost(field, type, ctx, undefined, false)
  const nodes = connectionNodes(value, field)
  return 2 + nodes.reduce<number>((sum, node) => sum + perNodeCost(field, type, ctx, node, true), 0)
}

/** Inputs of {@link calculateQueryCost}. */
export interface QueryCostInput {
  operation: OperationDefinitionNode
  fragments: Record<string, FragmentDefinitionNode>
  variables: Record<string, unknown>
  rootType: GraphQLCompositeType
  schemaType: (name: string) => GraphQLNamedType | undefined
  /** The response data, for the actual cost; omit for the requested cost. */
  data?: unknown
}

/**
 * Shopify's calculated query cost: scalars and enums 0, objects 1, connections 2 + size × node cost
 * (size = first/last when requested, the returned count when actual), each mutation field 10.
 */
export function calculateQueryCost(input: QueryCostInput): number {
  const ctx: CostContext = {
    fragments: input.fragments,
    variables: input.variables,
    schemaType: input.schemaType,
  }
  const actual = input.data !== undefined
  if (input.operation.operation === 'mutation') {
    return (
      input.operation.selectionSet.selections.filter(
        (s) => s.kind === Kind.FIELD && !s.name.value.startsWith('__'),
      ).length * MUTATION_COST
    )
  }
  return selectionSetCost(input.operation.selectionSet, input.rootType, ctx, input.data ?? null, actual)
}

/** `extensions.cost.throttleStatus`, shaped as Shopify sends it. */
export interface ThrottleStatus {
  maximumAvailable: number
  currentlyAvailable: number
  restoreRate: number
}

/** The per app+shop leaky bucket: refills `restoreRate` points per second up to `maximumAvailable`. */
export class LeakyBucket {
  readonly maximumAvailable: number
  readonly restoreRate: number
  #available: number
  #at: number
  readonly #clock: FakeClock

  constructor(clock: FakeClock, maximumAvailable = 2000, restoreRate = 100) {
    this.#clock = clock
    this.maximumAvailable = maximumAvailable
    this.restoreRate = restoreRate
    this.#available = maximumAvailable
    this.#at = clock.now()
  }

  #refill(): void {
    const now = this.#clock.now()
    const elapsed = Math.max(0, now - this.#at) / 1000
    this.#available = Math.min(this.maximumAvailable, this.#available + elapsed * this.restoreRate)
    this.#at = now
  }

  /** Points available now (fractional). */
  available(): number {
    this.#refill()
    return this.#available
  }

  /** Takes `points` if available; false (and nothing taken) when not. */
  take(points: number): boolean {
    this.#refill()
    if (points > this.#available) return false
    this.#available -= points
    return true
  }

  /** Gives back points (requested minus actual). */
  refund(points: number): void {
    this.#refill()
    this.#available = Math.min(this.maximumAvailable, this.#available + points)
  }

  /** Sets the level directly (tests that start from a drained bucket). */
  set(points: number): void {
    this.#refill()
    this.#available = Math.max(0, Math.min(this.maximumAvailable, points))
  }

  /** The status block for `extensions.cost`. */
  status(): ThrottleStatus {
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available()),
      restoreRate: this.restoreRate,
    }
  }
}
