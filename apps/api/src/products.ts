/**
 * The products this api serves come from `@referrals/products` (the products file, declared once).
 * Re-exported here so the api's call sites (`../products`) keep their import.
 */
export { createProductRegistry, loadProductRegistry, loadProducts, type ProductConfig, type ProductRegistry } from '@referrals/products';
