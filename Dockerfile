# syntax=docker/dockerfile:1
# talend-logs-es: the `talend-logs` CLI. Build: docker build -t talend-logs-es:0.1.0 .

# The official Node image; a build argument only so that a machine that cannot pull it can build on a stand-in of
# its own (npm run image:test in CI does).
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read at run time: index templates by `setup` and every `sync`, Kibana objects by `setup`.
COPY mappings ./mappings
COPY docker ./docker
# The image's own `node` user (uid 1000): nothing here needs root, nor writes to the file system.
USER node
# The V8 flags of the CLI's shebang, which `node main.js` does not read: they keep a run's memory
# flat (README, "Memory"). Here they reach every way the image starts the CLI, Compose's scripts too.
ENV NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=256"
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["--help"]
