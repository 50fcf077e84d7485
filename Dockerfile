# One image for the worker and the API (`docker run IMAGE worker` / `docker run IMAGE api`), and
# for `migrate`. Configuration is the environment (README, "Running against real services";
# docs/production.md). Node 20 as in package.json's engines.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
# The console is served by the API from its build (dist/console).
RUN npm run console:build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma prisma
COPY prisma.config.ts ./
# Runtime dependencies only; postinstall generates the Prisma client offline.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/console dist/console
COPY activities activities
COPY api api
COPY debtor-page debtor-page
COPY domain domain
COPY lib lib
COPY payments payments
COPY records records
COPY scripts scripts
COPY worker worker
COPY workflows workflows
COPY tsconfig.json ./
USER node
EXPOSE 3000
# API: listen on every interface inside the container.
ENV HOST=0.0.0.0
ENTRYPOINT ["npm", "run", "--silent"]
CMD ["api"]
