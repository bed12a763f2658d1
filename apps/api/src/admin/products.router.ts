import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { listProductsResponseSchema } from './products.schemas';

/** The products this api serves (the products file), with the catalog the console builds its forms from. */
export function productRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'get',
    path: '/v1/admin/products',
    operationId: 'listProducts',
    summary: 'Products served (the products file), each with its fact catalog and tier prices',
    tags: ['admin: products'],
    roles: ['admin'],
    response: { status: 200, description: 'Every product, in the order of the products file', schema: listProductsResponseSchema },
    handler() {
      const products = services.products.list().map((p) => {
        const catalog = services.products.catalogs.get(p.key);
        return {
          key: p.key,
          catalog: { kind: p.catalog.kind, description: catalog?.description ?? '', events: [...(catalog?.events ?? [])], facts: Object.fromEntries(Object.entries(catalog?.facts ?? {}).map(([path, fact]) => [path, { ...fact, phases: [...fact.phases] }])) },
          currency: p.currency,
          tiers: { ...p.tiers },
          reportsSales: p.reportsSales,
          impact: p.impact,
          welcomePromoLaunchCutoffAt: p.welcomePromoLaunchCutoffAt,
        };
      });
      return Promise.resolve({ body: { products } });
    },
  });
}
