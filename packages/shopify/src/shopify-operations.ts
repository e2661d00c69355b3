/**
 * Every GraphQL document the Shopify adapter sends, in one place. A test validates each one
 * against Shopify's real Admin schema of the pinned version ({@link SHOPIFY_API_VERSION}).
 *
 * @module
 */

/** Variants read per product in page mode; products with more are completed by a variants query. */
export const VARIANTS_PER_PRODUCT = 100

/** The product fields the normalizer reads (GraphQL shape of `normalizeGraphqlProduct`). */
export const PRODUCT_FIELDS_FRAGMENT = /* GraphQL */ `
fragment HubProductFields on Product {
  id
  title
  handle
  descriptionHtml
  status
  vendor
  productType
  tags
  updatedAt
  options { name position values }
  media(first: 20) { nodes { ... on MediaImage { image { url altText } } } }
  variants(first: ${VARIANTS_PER_PRODUCT}) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      title
      sku
      barcode
      price
      compareAtPrice
      position
      inventoryQuantity
      selectedOptions { name value }
      inventoryItem { id tracked }
    }
  }
}`

/** Shop facts the adapter needs once per connection (currency for normalized products). */
export const SHOP_QUERY = /* GraphQL */ `
query HubShop {
  shop { id name myshopifyDomain currencyCode }
}`

/** One page of products (page mode, small shops), oldest change first so a watermark can advance. */
export const PRODUCTS_PAGE_QUERY = /* GraphQL */ `
query HubProductsPage($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ...HubProductFields }
  }
}
${PRODUCT_FIELDS_FRAGMENT}`

/** Whether a shop has more products than one page holds: decides page mode or bulk mode. */
export const PRODUCTS_PROBE_QUERY = /* GraphQL */ `
query HubProductsProbe($first: Int!) {
  products(first: $first) { pageInfo { hasNextPage } }
}`

/** One product, re-read fresh when a `products/*` webhook arrives. */
export const PRODUCT_QUERY = /* GraphQL */ `
query HubProduct($id: ID!) {
  product(id: $id) { ...HubProductFields }
}
${PRODUCT_FIELDS_FRAGMENT}`

/** The rest of a product's variants beyond the first page. */
export const PRODUCT_VARIANTS_PAGE_QUERY = /* GraphQL */ `
query HubProductVariants($id: ID!, $first: Int!, $after: String) {
  product(id: $id) {
    variants(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        title
        sku
        barcode
        price
        compareAtPrice
        position
        inventoryQuantity
        selectedOptions { name value }
        inventoryItem { id tracked }
      }
    }
  }
}`

/** Fresh `available` quantity of one inventory item at one location (the cheap reconcile read). */
export const INVENTORY_LEVEL_QUERY = /* GraphQL */ `
query HubInventoryLevel($id: ID!, $locationId: ID!) {
  inventoryItem(id: $id) {
    id
    tracked
    inventoryLevel(locationId: $locationId) { id quantities(names: ["available"]) { name quantity } }
  }
}`

/** Fresh `available` quantity at every location: finds the location when none is configured. */
export const INVENTORY_LEVELS_QUERY = /* GraphQL */ `
query HubInventoryLevels($id: ID!) {
  inventoryItem(id: $id) {
    id
    tracked
    inventoryLevels(first: 10) {
      nodes { id location { id } quantities(names: ["available"]) { name quantity } }
    }
  }
}`

/**
 * A delta with compare-and-swap: `changeFromQuantity` is the quantity just read (always sent,
 * `null` explicitly when skipping the check) and `@idempotent` makes a retry return the original
 * result instead of applying the delta twice (required from 2026-04).
 */
export const INVENTORY_ADJUST_MUTATION = /* GraphQL */ `
mutation HubInventoryAdjust($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup {
      id
      createdAt
      reason
      referenceDocumentUri
      changes { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { field message code }
  }
}`

/** Per-shop webhook subscription (when not declared in `shopify.app.toml`). */
export const WEBHOOK_SUBSCRIPTION_CREATE_MUTATION = /* GraphQL */ `
mutation HubWebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic uri apiVersion { handle } }
    userErrors { field message }
  }
}`

/**
 * The bulk export of the catalog (large shops). Sent as the `query` string of
 * {@link BULK_OPERATION_RUN_MUTATION}; children arrive as separate JSONL lines with `__parentId`.
 */
export const BULK_PRODUCTS_QUERY = /* GraphQL */ `
{
  products {
    edges {
      node {
        __typename
        id
        title
        handle
        descriptionHtml
        status
        vendor
        productType
        tags
        updatedAt
        options { name position values }
        media { edges { node { __typename id ... on MediaImage { image { url altText } } } } }
        variants {
          edges {
            node {
              __typename
              id
              title
              sku
              barcode
              price
              compareAtPrice
              position
              inventoryQuantity
              selectedOptions { name value }
              inventoryItem { id tracked }
            }
          }
        }
      }
    }
  }
}`

/**
 * Start a bulk query with `groupObjects: true`: each product's variant and media lines follow it,
 * so the import streams the file in constant memory (since 2026-01 the default is `false`).
 */
export const BULK_OPERATION_RUN_MUTATION = /* GraphQL */ `
mutation HubBulkOperationRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`

/** Poll one bulk operation (2026-01+). */
export const BULK_OPERATION_QUERY = /* GraphQL */ `
query HubBulkOperation($id: ID!) {
  bulkOperation(id: $id) {
    id
    status
    errorCode
    objectCount
    rootObjectCount
    fileSize
    url
    partialDataUrl
    createdAt
    completedAt
  }
}`

/** Every document above by name: the schema test enumerates this list. */
export const SHOPIFY_GRAPHQL_DOCUMENTS: Readonly<Record<string, string>> = {
  SHOP_QUERY,
  PRODUCTS_PROBE_QUERY,
  PRODUCTS_PAGE_QUERY,
  PRODUCT_QUERY,
  PRODUCT_VARIANTS_PAGE_QUERY,
  INVENTORY_LEVEL_QUERY,
  INVENTORY_LEVELS_QUERY,
  INVENTORY_ADJUST_MUTATION,
  WEBHOOK_SUBSCRIPTION_CREATE_MUTATION,
  BULK_PRODUCTS_QUERY,
  BULK_OPERATION_RUN_MUTATION,
  BULK_OPERATION_QUERY,
}
