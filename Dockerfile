# PropTrade Pro — production image.
#
# The base tag MUST match the Deno version pinned for the project (.ci/run installs deno@2.9.6; deno.lock
# is written by it). Bump both together.
#
#   docker build -t proptrade .
#   docker compose up            (see docker-compose.yml: PostgreSQL, Redis and an S3 store)
#
# Only production dependencies go in: deno.lock is the production lock (Deno installs a lock's whole
# snapshot, so test and bench tools live in deno.dev.lock and tests/deps/, which .dockerignore leaves out
# together with tests/ and bench/). DENO_IMAGE may name another image of the same Deno (e.g. a local mirror).
ARG DENO_IMAGE=denoland/deno:2.9.6

# ---- build: npm dependencies, then island bundles + CSS into _fresh/ ------------------------------------
FROM ${DENO_IMAGE} AS build
WORKDIR /app
ENV DENO_NO_UPDATE_CHECK=1

# Dependencies first, so this layer is cached until deno.json / deno.lock change. --frozen-lockfile: a
# deno.lock that does not match deno.json fails the build instead of resolving anew.
COPY deno.json deno.lock ./
RUN deno install --frozen-lockfile

COPY . .
# Build the islands and CSS, then warm the module cache (transpiled TypeScript) so a container starts
# without compiling; data/ is DATA_DIR (local objects when S3 is not configured).
RUN deno task build \
  && deno cache fresh.config.ts \
  && mkdir -p data

# ---- runtime ----------------------------------------------------------------------------------------------
FROM ${DENO_IMAGE}
WORKDIR /app

ENV APP_ENV=production \
    PORT=8000 \
    BIND_HOST=0.0.0.0 \
    DATA_DIR=/app/data \
    DENO_NO_UPDATE_CHECK=1

# The app with its source, node_modules/ and the built _fresh/; the deno user owns it (Deno may refresh
# node_modules/.deno metadata at start, and DATA_DIR holds local objects when S3 is not configured).
COPY --from=build --chown=deno:deno /app /app
COPY --from=build --chown=deno:deno /deno-dir /deno-dir

USER deno
EXPOSE 8000

# The image has no curl: probe liveness with Deno's fetch (--no-config: don't load the app's deno.json).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["deno", "eval", "--no-config", "const r = await fetch(`http://127.0.0.1:${Deno.env.get('PORT') ?? '8000'}/healthz`, { signal: AbortSignal.timeout(4000) }); Deno.exit(r.ok ? 0 : 1);"]

# `serve` = migrate + serve the build made above (no build at start).
CMD ["deno", "run", "-A", "fresh.config.ts", "serve"]
