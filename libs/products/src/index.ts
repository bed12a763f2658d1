/**
 * @referrals/products: the products this deployment serves, declared once in a validated
 * configuration file (`config/products.json`, or `PRODUCTS_FILE`).
 *
 *   const products = loadProductRegistry();          // at boot: fails fast, one line naming the field
 *   products.get('kilo_pass')?.reportsSales;
 *   products.catalogs;                               // what @referrals/programs validates against
 *   products.monthlyPriceOf('kilo_pass', 'tier_49'); // { minor: 4900, currency: 'USD' }
 */
export {
  DEFAULT_PRODUCTS_FILE,
  createProductRegistry,
  loadProductRegistry,
  loadProducts,
  monthlyPriceOf,
  parseProducts,
  type MonthlyPrice,
  type ProductCatalogs,
  type ProductConfig,
  type ProductRegistry,
} from './products';
export { PAYMENT_METHOD_TYPE_PATTERN, productSchema, productsFileSchema, UNRESOLVED_PAYMENT_METHOD_TYPE, type ProductDeclaration, type ProductsFile } from './products.schema';
