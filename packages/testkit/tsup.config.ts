import { packageConfig } from '../../tsup.base.js'

export default packageConfig({
  index: 'src/index.ts',
  'conformance/index': 'src/conformance/index.ts',
  'contract/index': 'src/contract/index.ts',
  'shopify/index': 'src/shopify/index.ts',
  'woocommerce/index': 'src/woocommerce/index.ts',
})
