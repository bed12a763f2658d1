# syntax=docker/dockerfile:1
# One production image for the api and the worker (docker-compose picks the command).
#
#   build    the workspace with its dev dependencies; `nx build` bundles the api and the worker to
#            JavaScript (esbuild), prebuilds the worker's workflow bundle and builds the admin console
#   deps     production dependencies only (`npm ci --omit=dev`)
#   runtime  node, those dependencies and the built files, owned by root and run as the
#            unprivileged `node` user; no TypeScript tooling, no webpack run at start
#
# Its idle memory is measured on a machine without Docker by `npm run measure:rss`, which runs the
# same commands with this stage's ENV.
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
COPY package.json package-lock.json ./
COPY apps apps
COPY libs libs
COPY tools tools
RUN npm ci --no-fund --no-audit
COPY . .
RUN npx nx run-many -t build -p api,worker,admin --outputStyle=static
# The workspace manifests `npm ci` needs to accept the lock file, without the sources.
RUN mkdir /manifests && cp package.json package-lock.json /manifests/ \
 && find apps libs tools -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /manifests/ \;

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /manifests/ ./
# Production dependencies only; the workspace's own packages are bundled into the apps.
RUN npm ci --omit=dev --ignore-scripts --no-fund --no-audit \
 && rm -rf node_modules/@referrals \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# MALLOC_ARENA_MAX=1: glibc's per-thread malloc arenas multiply resident memory in a process with
# many threads (Temporal's Rust core, libuv); these processes are I/O bound, one arena suffices.
# --max-semi-space-size=1: a small young generation keeps the idle heap small (scavenges stay cheap).
# With the prebuilt bundle: api 92 MB, worker 134 MB idle (development commands: 167, 320; npm run measure:rss).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=1 \
    NODE_OPTIONS=--max-semi-space-size=1 \
    WORKFLOW_BUNDLE_PATH=/app/apps/worker/dist/workflow-bundle.js
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
# The products file the api and the worker read (PRODUCTS_FILE overrides; mount another one).
COPY --from=build /app/config ./config
COPY --from=build /app/apps/api/dist ./apps/api/dist
COPY --from=build /app/apps/worker/dist ./apps/worker/dist
COPY --from=build /app/apps/admin/dist ./apps/admin/dist
USER node
EXPOSE 3000
# The api; the worker: ["node", "apps/worker/dist/main.js"]; migrations: ["node", "apps/api/dist/migrate.js"].
CMD ["node", "apps/api/dist/main.js"]
