import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql'
import type { ResolverContext } from './context.js'

/**
 * A lean executor for bulk queries over the same views the GraphQL endpoint resolves. Bulk
 * queries are validated against the real schema before they get here, and views already hold
 * serialized scalars, so walking the selection set directly is enough, and far cheaper than a full
 * graphql execution for tens of thousands of objects. Arguments are literals (bulk queries take no
 * variables); fragments apply when their type condition names the object's `__typename` or an
 * interface (the fake does not track which interfaces each type implements).
 */
export function executeBulkDocument(
  document: DocumentNode,
  root: Record<string, unknown>,
  ctx: ResolverContext,
  isObjectType: (name: string) => boolean,
): Record<string, unknown> {
  const fragments: Record<string, FragmentDefinitionNode> = {}
  let operation: OperationDefinitionNode | undefined
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition
    if (definition.kind === Kind.OPERATION_DEFINITION) operation ??= definition
  }
  if (!operation) return {}

  const resolveSelection = (
    source: Record<string, unknown>,
    selectionSet: SelectionSetNode,
    out: Record<string, unknown>,
  ): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value]
        if (!fragment) continue
        const condition = fragment.typeCondition?.name.value
        if (condition && condition !== source.__typename && isObjectType(condition)) continue
        resolveSelection(source, fragment.selectionSet, out)
        continue
      }
      const name = selection.name.value
      const key = selection.alias?.value ?? name
      let value = source[name]
      if (typeof value === 'function') {
        const args: Record<string, unknown> = {}
        for (const arg of selection.arguments ?? []) args[arg.name.value] = valueFromASTUntyped(arg.value)
        value = (value as (a: unknown, c: ResolverContext) => unknown)(args, ctx)
      }
      out[key] = selection.selectionSet ? complete(value, selection.selectionSet) : (value ?? null)
    }
  }

  const complete = (value: unknown, selectionSet: SelectionSetNode): unknown => {
    if (value === null || value === undefined) return null
    if (Array.isArray(value)) return value.map((item) => complete(item, selectionSet))
    const out: Record<string, unknown> = {}
    resolveSelection(value as Record<string, unknown>, selectionSet, out)
    return out
  }

  const data: Record<string, unknown> = {}
  resolveSelection(root, operation.selectionSet, data)
  return data
}
