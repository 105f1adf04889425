# syntax=docker/dockerfile:1
#
# konnect-audit-receiver: `konnect-audit serve` in a small, non-root image.
#
#   docker build -t konnect-audit-receiver .
#   docker run -d --name konnect-audit -p 8443:8443 -v konnect-audit-data:/data \
#     -e KONNECT_AUDIT_AUTHORIZATION="Bearer <32+ random bytes>" \
#     -e KONNECT_AUDIT_TLS_CERT=/tls/fullchain.pem -e KONNECT_AUDIT_TLS_KEY=/tls/privkey.pem \
#     -v /etc/konnect-audit/tls:/tls:ro konnect-audit-receiver
#
# Base: Node.js 22 LTS on Debian bookworm (slim). The project supports Node
# >= 20 (SPEC: the image may use a newer LTS); Node 20 reached end of life in
# April 2026, 22 is a maintained LTS line. bookworm rather than alpine:
# better-sqlite3 is compiled against glibc here and in the runtime stage
# alike. For production, pin the base image by digest (node:22-bookworm-slim@sha256:...).
ARG NODE_IMAGE=node:22-bookworm-slim

# ── compilers for better-sqlite3 (built from source: no prebuilt binary is downloaded) ──
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp compiles against the headers shipped in the image (no header download).
ENV npm_config_nodedir=/usr/local
WORKDIR /app

# ── build: all dependencies, TypeScript → dist/ ──
FROM toolchain AS build
COPY package.json package-lock.json ./
# --ignore-scripts: the package's `prepare` script runs `npm run build`, which
# cannot work before the sources are copied; nothing native is needed to compile TypeScript.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ── production dependencies only, with better-sqlite3 compiled for this image ──
FROM toolchain AS prod-deps
COPY package.json package-lock.json ./
# --ignore-scripts (no `prepare`, no other install script), then only
# better-sqlite3's own build, from source: --build-from-source makes its
# prebuild-install step skip downloading a prebuilt binary.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 --build-from-source \
 && node -e "new (require('better-sqlite3'))(':memory:').close()" \
 && npm cache clean --force

# ── runtime: no compilers, no dev dependencies, not root ──
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    KONNECT_AUDIT_HOST=0.0.0.0 \
    KONNECT_AUDIT_PORT=8443 \
    KONNECT_AUDIT_DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The store and the JWKS cache live in /data, private to the `node` user (uid 1000).
RUN chmod 0755 dist/cli/bin.js \
 && ln -s /app/dist/cli/bin.js /usr/local/bin/konnect-audit \
 && mkdir -p /data \
 && chown node:node /data \
 && chmod 0700 /data
USER node
VOLUME ["/data"]
EXPOSE 8443
# Liveness on /healthz over loopback. The certificate is for the public name,
# not 127.0.0.1, hence rejectUnauthorized: false (it only checks the process
# answers). It follows KONNECT_AUDIT_PORT and KONNECT_AUDIT_INSECURE_HTTP: set
# the port with the environment, not with --port, when using this check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const plain=/^(true|1|yes|on)$/i.test(process.env.KONNECT_AUDIT_INSECURE_HTTP||'');require(plain?'node:http':'node:https').get({host:'127.0.0.1',port:Number(process.env.KONNECT_AUDIT_PORT||8443),path:'/healthz',rejectUnauthorized:false,timeout:4000},(r)=>process.exit(r.statusCode===200?0:1)).on('timeout',()=>process.exit(1)).on('error',()=>process.exit(1))"]
# serve shuts down gracefully on SIGTERM (docker stop): in-flight batches
# finish, sinks flush; give it KONNECT_AUDIT_SHUTDOWN_TIMEOUT_MS x 2 + a few
# seconds (`docker stop -t 30`). Events not yet delivered stay in /data.
STOPSIGNAL SIGTERM
# Exec form, node first: node is PID 1 and gets SIGTERM itself. No shell, and
# never npx (npm exec does not pass SIGTERM on: the receiver would be left
# running while npm exits 143). serve handles SIGTERM/SIGINT itself and starts
# no child processes. `konnect-audit` stays on PATH for `docker exec`.
ENTRYPOINT ["node", "/app/dist/cli/bin.js"]
CMD ["serve"]
