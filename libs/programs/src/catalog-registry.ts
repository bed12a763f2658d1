import { type ProductCatalogs } from '@referrals/products';

/**
 * Which fact catalog validates the programs of which product. It is the products registry's
 * `catalogs` (`@referrals/products`): products are declared once, in the products file, each on a
 * generic rule-dsl catalog kind (payments, lessons) plus its host facts; a program whose product
 * has no catalog is `product_unknown`.
 *
 *   createProgramStore({ sequelize, catalogs: loadProductRegistry().catalogs })
 */
export type CatalogRegistry = ProductCatalogs;
