# syntax=docker/dockerfile:1
# Herald: one image for every role (HERALD_ROLE=api|worker|all) and for the provider simulator.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The shipped templates; mount your own folder here (or set HERALD_TEMPLATES_DIR).
COPY templates ./templates
USER node
EXPOSE 3000 4010
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# AsyncLocalStorage by AsyncContextFrame, not promise hooks (Node 24 does so by default):
# see README, Running in production.
CMD ["node", "--enable-source-maps", "--experimental-async-context-frame", "dist/main.js"]
