# One image for the api and the worker (they share the workspace); docker-compose picks the command.
# TypeScript runs through tsx, as in development; the worker bundles its workflows at start.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NX_DAEMON=false
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/package.json
COPY apps/worker/package.json apps/worker/package.json
COPY libs libs
COPY tools tools
RUN npm ci --include=dev --no-fund --no-audit
COPY . .
# The admin console the api serves at /admin.
RUN npx vite build -c apps/admin/vite.config.mts
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]
