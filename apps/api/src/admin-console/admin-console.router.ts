import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Router } from 'express';

/** Where `nx run admin:build` (vite build -c apps/admin/vite.config.mts) puts the console. */
export const ADMIN_CONSOLE_DIST = resolve(__dirname, '../../../admin/dist');

/**
 * The admin console at /admin: the built React page (static files, SPA fallback to index.html).
 * The page holds no secrets: the operator signs in with an admin key, which the page sends to the
 * api like any other client. Without a build, /admin says how to make one.
 */
export function adminConsoleRouter(dist: string = ADMIN_CONSOLE_DIST): Router {
  const router = express.Router();
  const index = join(dist, 'index.html');
  router.use('/admin', express.static(dist, { index: 'index.html', fallthrough: true }));
  router.get(/^\/admin(\/.*)?$/, (req, res, next) => {
    // A missing asset (a file name) is a 404, not the page; any other path is a client-side route.
    if (/\.[A-Za-z0-9]+$/.test(req.path)) {
      next();
      return;
    }
    if (!existsSync(index)) {
      res
        .status(404)
        .type('text/plain')
        .send('The admin console is not built: run `npx nx run admin:build` (vite build -c apps/admin/vite.config.mts), then reload /admin.\n');
      return;
    }
    res.sendFile(index);
  });
  return router;
}
