import path from 'node:path';
import { OpenApiGeneratorV31, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Router } from 'express';

export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key of the role the endpoint names (storefront, billing, admin), from the host\'s servers only.',
  });
  registry.registerComponent('securitySchemes', 'apiKeyHeader', { type: 'apiKey', in: 'header', name: 'X-Api-Key' });
  return registry;
}

/** The OpenAPI 3.1 document of every registered endpoint (generated once, on first request). */
export function openApiDocument(registry: OpenAPIRegistry) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Referrals API',
      version: '1',
      description:
        'Storefront and billing events, admin and ops endpoints of the Referrals engine. Errors are ' +
        '`{ error: { code, message, details: [{ path, message }] } }`. Every endpoint needs an API key of its role.',
    },
    servers: [{ url: '/' }],
  });
}

/**
 * `/openapi.json` and `/docs` (Swagger UI from swagger-ui-dist, served from node_modules: no CDN,
 * works offline). The page's script is a file, not inline, so a strict CSP can allow 'self' only.
 */
export function docsRouter(registry: OpenAPIRegistry): Router {
  const router = express.Router();
  let document: ReturnType<typeof openApiDocument> | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= openApiDocument(registry);
    res.json(document);
  });
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  // Non-strict routing: '/docs' also matches '/docs/'. The page needs the trailing slash so that
  // its relative asset URLs resolve under /docs/.
  router.get('/docs', (req, res) => {
    if (!(req.originalUrl.split('?')[0] ?? '').endsWith('/')) {
      res.redirect(301, '/docs/');
      return;
    }
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/docs/initializer.js', (_req, res) => {
    res.type('application/javascript').send(INITIALIZER);
  });
  router.use('/docs', express.static(assets, { index: false, maxAge: '1h' }));
  return router;
}

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Referrals API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/initializer.js"></script>
</body>
</html>
`;

const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;
