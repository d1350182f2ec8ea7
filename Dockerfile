# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY local-mesos ./local-mesos
COPY bench ./bench
COPY scripts ./scripts
RUN bash scripts/gen-proto.sh
RUN npx tsc -p tsconfig.build.json

# Runtime stage: production dependencies and compiled output only.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# Migrations are a separate, explicit step: `docker run ... node dist/src/persistence/migrate.js`.
CMD ["node", "dist/src/main.js"]
