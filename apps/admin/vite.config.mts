import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The admin console, served by the api at /admin (apps/api/src/admin-console). */
export default defineConfig({
  root: here('.'),
  base: '/admin/',
  plugins: [react()],
  resolve: { alias: { '@referrals/rule-dsl': here('../../libs/rule-dsl/src/index.ts') } },
  build: { outDir: here('dist'), emptyOutDir: true },
  logLevel: 'warn',
});
