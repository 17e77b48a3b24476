# The copse image: the server (`copse serve`) and the startup-ordering init program
# (`copse initc`) in one image. Non-root, no shell and no package manager at run time.
#
#   docker build -t copse:0.1.0 .
#
# The entry point must stay `/nodejs/bin/node /app/bin/copse.js`: the init container copse
# injects runs `/nodejs/bin/node /app/bin/copse.js initc` (api/image.ts; a unit test compares).

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the prepare script would build before the sources are copied.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# distroless: Node.js 20 and CA certificates only; the :nonroot tag runs as uid 65532.
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/manifests ./manifests
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/copse.js"]
CMD ["serve", "--in-cluster"]
