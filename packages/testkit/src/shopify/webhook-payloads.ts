import { restTimestamp } from './clock.js'
import type { ShopInfo } from './context.js'
import { gid, inventoryLevelGid } from './ids.js'
import type { LosslessJson } from './json-text.js'
import type { LevelRecord, OrderRecord, ProductRecord, ShopState } from './state.js'

/**
 * REST-style webhook bodies, shaped as Shopify's published samples (fixtures/shopify/webhooks):
 * snake_case, numeric ids as exact bigints, `admin_graphql_api_id` GIDs.
 */

const big = (id: string): bigint => BigInt(id)

function money(amount: string): LosslessJson {
  return {
    shop_money: { amount, currency_code: 'USD' },
    presentment_money: { amount, currency_code: 'USD' },
  }
}

/** products/create and products/update. */
export function productPayload(product: ProductRecord, state: ShopState): LosslessJson {
  const variants = product.variantIds.flatMap((id) => state.variants.get(id) ?? [])
  const optionValue = (values: { value: string }[], i: number) => values[i]?.value ?? null
  return {
    admin_graphql_api_id: gid('Product', product.id),
    body_html: product.descriptionHtml,
    created_at: restTimestamp(product.createdAt),
    handle: product.handle,
    id: big(product.id),
    product_type: product.productType,
    published_at: product.publishedAt === null ? null : restTimestamp(product.publishedAt),
    template_suffix: null,
    title: product.title,
    updated_at: restTimestamp(product.updatedAt),
    vendor: product.vendor,
    status: product.status.toLowerCase(),
    published_scope: 'web',
    tags: product.tags.join(', '),
    variants: variants.slice(0, 100).map((variant) => ({
      admin_graphql_api_id: gid('ProductVariant', variant.id),
      barcode: variant.barcode,
      compare_at_price: variant.compareAtPrice,
      created_at: restTimestamp(variant.createdAt),
      id: big(variant.id),
      inventory_policy: variant.inventoryPolicy.toLowerCase(),
      position: variant.position,
      price: variant.price,
      product_id: big(product.id),
      sku: variant.sku,
      taxable: variant.taxable,
      title: variant.title,
      updated_at: restTimestamp(variant.updatedAt),
      option1: optionValue(variant.selectedOptions, 0),
      option2: optionValue(variant.selectedOptions, 1),
      option3: optionValue(variant.selectedOptions, 2),
      image_id: null,
      inventory_item_id: big(variant.inventoryItemId),
      inventory_quantity: state.variantAvailable(variant),
      old_inventory_quantity: state.variantAvailable(variant),
    })),
    options: product.options.map((option) => ({
      name: option.name,
      id: big(option.id),
      product_id: big(product.id),
      position: option.position,
      values: option.values.map((v) => v.name),
    })),
    images: product.media.map((media, index) => ({
      id: big(media.id),
      product_id: big(product.id),
      position: index + 1,
      created_at: restTimestamp(media.createdAt),
      updated_at: restTimestamp(media.createdAt),
      alt: media.altText,
      width: media.width,
      height: media.height,
      src: media.url,
      variant_ids: [],
      admin_graphql_api_id: gid('MediaImage', media.id),
    })),
    image: null,
    media: product.media.map((media, index) => ({
      id: big(media.id),
      product_id: big(product.id),
      position: index + 1,
      created_at: restTimestamp(media.createdAt),
      updated_at: restTimestamp(media.createdAt),
      alt: media.altText,
      status: 'READY',
      media_content_type: 'IMAGE',
      preview_image: { width: media.width, height: media.height, src: media.url, status: 'READY' },
      variant_ids: [],
      admin_graphql_api_id: gid('MediaImage', media.id),
    })),
    variant_gids: [...variants]
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map((variant) => ({
        admin_graphql_api_id: gid('ProductVariant', variant.id),
        updated_at: new Date(variant.updatedAt).toISOString(),
      })),
    has_variants_that_requires_components: false,
    category: null,
  }
}

/** products/delete: `{id}` only. */
export function productDeletePayload(productId: string): LosslessJson {
  return { id: big(productId) }
}

/** inventory_levels/update, with the `InventoryLevel/{location}?inventory_item_id={item}` GID quirk. */
export function inventoryLevelPayload(level: LevelRecord): LosslessJson {
  return {
    inventory_item_id: big(level.inventoryItemId),
    location_id: big(level.locationId),
    available: level.quantities.available,
    updated_at: restTimestamp(level.updatedAt),
    admin_graphql_api_id: inventoryLevelGid(level.inventoryItemId, level.locationId),
  }
}

/** orders/create, with every top-level key of Shopify's sample (values the fake does not model are null or empty). */
export function orderPayload(order: OrderRecord, shop: ShopInfo, appId: string): LosslessJson {
  const total = order.lines.reduce((sum, line) => sum + Number(line.price) * line.quantity, 0).toFixed(2)
  const zero = '0.00'
  const created = restTimestamp(order.createdAt)
  return {
    id: big(order.id),
    admin_graphql_api_id: gid('Order', order.id),
    app_id: big(appId),
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: null,
    checkout_token: null,
    client_details: null,
    closed_at: null,
    confirmation_number: `FAKE${order.number}`,
    confirmed: true,
    contact_email: null,
    created_at: created,
    currency: 'USD',
    current_shipping_price_set: money(zero),
    current_subtotal_price: total,
    current_subtotal_price_set: money(total),
    current_total_additional_fees_set: null,
    current_total_discounts: zero,
    current_total_discounts_set: money(zero),
    current_total_duties_set: null,
    current_total_price: total,
    current_total_price_set: money(total),
    current_total_tax: zero,
    current_total_tax_set: money(zero),
    customer_locale: 'en',
    device_id: null,
    discount_codes: [],
    duties_included: false,
    email: '',
    estimated_taxes: false,
    financial_status: 'paid',
    fulfillment_status: null,
    landing_site: null,
    landing_site_ref: null,
    location_id: big(order.locationId),
    merchant_business_entity_id: null,
    merchant_of_record_app_id: null,
    name: `#${order.number}`,
    note: null,
    note_attributes: [],
    number: order.number - 1000,
    order_number: order.number,
    order_status_url: `https://${shop.domain}/orders/${order.id}/authenticate`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: ['manual'],
    phone: null,
    po_number: null,
    presentment_currency: 'USD',
    processed_at: created,
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: 'web',
    source_url: null,
    subtotal_price: total,
    subtotal_price_set: money(total),
    tags: '',
    tax_exempt: false,
    tax_lines: [],
    taxes_included: false,
    test: true,
    token: `fake-${order.id}`,
    total_cash_rounding_payment_adjustment_set: money(zero),
    total_cash_rounding_refund_adjustment_set: money(zero),
    total_discounts: zero,
    total_discounts_set: money(zero),
    total_line_items_price: total,
    total_line_items_price_set: money(total),
    total_outstanding: zero,
    total_price: total,
    total_price_set: money(total),
    total_shipping_price_set: money(zero),
    total_tax: zero,
    total_tax_set: money(zero),
    total_tip_received: zero,
    total_weight: 0,
    updated_at: created,
    user_id: null,
    billing_address: null,
    customer: null,
    discount_applications: [],
    fulfillments: [],
    line_items: order.lines.map((line) => ({
      id: big(line.id),
      admin_graphql_api_id: gid('LineItem', line.id),
      attributed_staffs: [],
      current_quantity: line.quantity,
      fulfillable_quantity: line.quantity,
      fulfillment_service: 'manual',
      fulfillment_status: null,
      gift_card: false,
      grams: 0,
      name: `${line.title} - ${line.variantTitle}`,
      price: line.price,
      price_set: money(line.price),
      product_exists: true,
      product_id: big(line.productId),
      properties: [],
      quantity: line.quantity,
      requires_shipping: true,
      sales_line_item_group_id: null,
      sku: line.sku,
      taxable: true,
      title: line.title,
      total_discount: zero,
      total_discount_set: money(zero),
      variant_id: big(line.variantId),
      variant_inventory_management: 'shopify',
      variant_title: line.variantTitle,
      vendor: null,
      tax_lines: [],
      duties: [],
      discount_allocations: [],
    })),
    payment_terms: null,
    refunds: [],
    shipping_address: null,
    shipping_lines: [],
    returns: [],
    line_item_groups: [],
  }
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Shopify's literal Liquid money format
const MONEY_FORMAT = '${{amount}}'

/** app/uninstalled: the Shop resource, keys as Shopify's sample. */
export function shopPayload(shop: ShopInfo, primaryLocationId: string): LosslessJson {
  return {
    id: big(shop.id),
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    province: null,
    country: 'CA',
    address1: '1 Test Street',
    zip: 'K1A 0A1',
    city: 'Ottawa',
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: 'en',
    address2: null,
    created_at: null,
    updated_at: null,
    country_code: 'CA',
    country_name: 'Canada',
    currency: 'USD',
    customer_email: shop.email,
    timezone: '(GMT+00:00) UTC',
    iana_timezone: 'UTC',
    shop_owner: 'Fake Owner',
    money_format: MONEY_FORMAT,
    money_with_currency_format: `${MONEY_FORMAT} USD`,
    weight_unit: 'kg',
    province_code: null,
    taxes_included: null,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: null,
    plan_display_name: 'Basic',
    plan_name: 'basic',
    has_discounts: false,
    has_gift_cards: false,
    myshopify_domain: shop.domain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: MONEY_FORMAT,
    money_with_currency_in_emails_format: `${MONEY_FORMAT} USD`,
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: null,
    has_storefront: true,
    finances: true,
    primary_location_id: big(primaryLocationId),
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: ['USD'],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  }
}

/** bulk_operations/finish. */
export function bulkFinishPayload(op: {
  id: string
  status: string
  createdAt: number
  completedAt: number | null
}): LosslessJson {
  return {
    admin_graphql_api_id: gid('BulkOperation', op.id),
    completed_at: op.completedAt === null ? null : restTimestamp(op.completedAt),
    created_at: restTimestamp(op.createdAt),
    error_code: op.status === 'FAILED' ? 'internal_server_error' : null,
    status: op.status.toLowerCase(),
    type: 'query',
  }
}
