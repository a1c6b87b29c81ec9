/**
 * The one place the app is assembled: where the routes, islands and styles are, how the build runs, which
 * services the app gets. Run as a script it is also the operator's entry point:
 *
 *   deno run -A fresh.config.ts start    build if sources changed → migrate → seed an empty DB → serve
 *   deno run -A fresh.config.ts dev      the same with a development build and live reload
 *   deno run -A fresh.config.ts serve    migrate → serve a prebuilt app (the container's command)
 *   deno run -A fresh.config.ts build | migrate | seed | admin:create <email> [role]
 *   deno run -A fresh.config.ts backup | restore <file> [--force]   (services/backup/)
 */
import { build as runBuild, type BuildOptions, ensureBuild, readManifest } from "./lib/build.ts";
import { createFreshApp, type FreshApp } from "./lib/app.ts";
import { listen } from "./lib/http_listener.ts";
import type { BuildManifest } from "./lib/build_manifest.ts";
import { ensureSecrets, loadConfig } from "./services/config.ts";
import { closeDeps, type Deps, openDeps } from "./services/deps.ts";
import { followInvalidations } from "./services/page_cache.ts";
import { migrate } from "./db/migrate.ts";
import { isDatabaseUnavailable } from "./db/client.ts";
import { ServiceUnavailable } from "./lib/errors.ts";
import { type DemoCredentials, seedDemo } from "./services/demo/seed.ts";
import { seedFaqIfEmpty } from "./services/faq/seed.ts";
import { upgradeLegacyRecoveryCodes } from "./services/auth/recovery_codes.ts";
import { checkDataKeys } from "./services/key_check.ts";
import { resealTwoFactorSecrets } from "./services/auth/two_factor_reseal.ts";
import { kycKeyRing } from "./services/kyc/files.ts";
import type { State } from "./routes/_define.ts";
import { createOrPromoteStaff } from "./services/auth/staff.ts";
import { SYSTEM_ACTOR } from "./services/audit.ts";
import { configureLog, currentTrace, log, logFormatFor, reportTo } from "./services/log.ts";
import { startPriceFeed } from "./services/venue/feed.ts";
import { startLeaderJobs } from "./services/cluster/leader_jobs.ts";
import { backupCommand, restoreCommand } from "./services/backup/command.ts";
import { observeRequests } from "./services/http_observer.ts";
import { answerMetrics, withMetricsEndpoint } from "./services/metrics/mod.ts";
import { startBusLagProbe } from "./services/metrics/bus_lag.ts";
import { flushErrorTracking, reportError, startErrorTracking } from "./services/error_tracking.ts";
import { reportStartFailure } from "./services/start_failure.ts";

const ROOT = new URL(".", import.meta.url).pathname.replace(/\/$/, "");

export const buildOptions: BuildOptions = {
  root: ROOT,
  routesDir: "routes",
  islandDirs: ["islands"],
  outDir: "_fresh",
  cssEntry: "static/styles.css",
  // What the build hashes to decide whether to run: the framework's defaults plus services/, whose
  // browser-safe modules islands bundle (tests/architecture_test checks nothing bundled is left out).
  inputDirs: ["routes", "islands", "components", "services", "static", "lib"],
  // Inter, self-hosted from npm (@fontsource-variable/inter): one variable file per script covers every
  // weight. Latin is on every page, so it is preloaded; Latin Extended loads only for text that needs it.
  assets: [
    {
      url: "fonts/inter-latin.woff2",
      file: "node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2",
      preload: true,
    },
    {
      url: "fonts/inter-latin-ext.woff2",
      file: "node_modules/@fontsource-variable/inter/files/inter-latin-ext-wght-normal.woff2",
    },
  ],
};

/** Either session cookie (plain or `__Host-` prefixed), see routes/(_http)/auth_cookies.ts. */
const SESSION_COOKIE = /(^|[\s;-])pt_(access|refresh)=/;

const DEFAULT_META = {
  title: "PropTrade Pro — funded trader evaluations",
  description: "Trading evaluations with transparent rules, live progress and fast payouts.",
};

/** Builds the HTTP app over already opened services (tests call this with their own `deps`). */
export async function createApp(
  deps: Deps,
  opts: { manifest?: BuildManifest; dev?: boolean } = {},
): Promise<FreshApp> {
  const manifest = opts.manifest ?? await ensureBuild({ ...buildOptions, dev: opts.dev });
  const app = await createFreshApp<State>({
    root: ROOT,
    routesDir: buildOptions.routesDir,
    islandDirs: buildOptions.islandDirs,
    manifest,
    dev: opts.dev ?? deps.config.env === "development",
    hsts: deps.config.env === "production",
    // Signed-in visitors see their own header, so their pages are rendered for them and never cached: by
    // their session cookie or bearer token before routing, and by the state authentication built after it
    // (whatever else might sign a visitor in; a cleared stale cookie is a response for one visitor too).
    isPersonal: (req) =>
      req.headers.has("authorization") || SESSION_COOKIE.test(req.headers.get("cookie") ?? ""),
    isPersonalState: (state) => state.user !== null || state.cookies.length > 0,
    // The path only: a query string can carry a one-time token (a reset or verification link).
    onError: (error, req) => {
      const path = new URL(req.url).pathname;
      log.error("request failed", { method: req.method, path, error });
      reportError(error, { requestId: currentTrace()?.requestId, method: req.method, path });
    },
    // A database that cannot be reached is an outage to wait out (as /readyz says), not a bug.
    knownError: (error) => {
      if (!isDatabaseUnavailable(error)) return null;
      log.warn("database unavailable", { error: String(error) });
      return new ServiceUnavailable("The service is briefly unavailable; try again in a few seconds.", 5);
    },
    // Trace context, request id headers, HTTP metrics by route pattern and the access log.
    observe: observeRequests(deps.config),
    initialState: () => ({
      deps,
      meta: { ...DEFAULT_META },
      user: null,
      authVia: null,
      actor: { userId: null, ip: null, userAgent: null },
      cookies: [],
      requestId: "",
      unread: 0,
    }),
  });
  // GET /metrics is answered before the app (its bearer token is not a session; services/metrics/mod.ts).
  app.fetch = withMetricsEndpoint(app.fetch, deps);
  // Every process drops its cached pages when any process changes the data behind them.
  await followInvalidations(deps.bus, (tag) => app.pageCache.invalidate(tag));
  return app;
}

/**
 * Applies pending migrations and, outside production, seeds an empty database with demo data. Production
 * never gets demo users (an admin whose password sits in a log is a hole); `deno task seed` stays explicit.
 */
export async function prepareDatabase(deps: Deps): Promise<DemoCredentials | null> {
  const { applied } = await migrate(deps.db);
  // Through the logger, as every line a serving process writes: JSON in production (README, Logs).
  if (applied.length) log.info(`Applied migrations: ${applied.join(", ")}`, { scope: "db" });
  // Before anything is served or seeded: data sealed with other keys stops the start (services/key_check.ts).
  await checkDataKeys(deps.db.sql, {
    totp: deps.totpKey,
    kycRing: deps.config.kycEncryptionKey ? await kycKeyRing(deps.config) : null,
  });
  // FAQ entries are site content, not demo data: every installation starts with them.
  await seedFaqIfEmpty(deps.db);
  // After a 2FA key rotation: secrets under a retired key move to the current one (services/auth/two_factor_reseal.ts).
  const resealed = await resealTwoFactorSecrets(deps.db, deps.totpKey);
  if (resealed) {
    log.info(`2FA secrets re-sealed with the current TWO_FACTOR_KEY: ${resealed}`, { scope: "auth" });
  }
  const rehashed = await upgradeLegacyRecoveryCodes(deps.db, deps.totpKey);
  if (rehashed) log.info(`Recovery codes moved to keyed hashes: ${rehashed}`, { scope: "auth" });
  return deps.config.env === "production" ? null : await timedSeed(deps);
}

/** Seeds the demo data with the demo trader's history (services/demo/world.ts), saying how long it took. */
async function timedSeed(deps: Deps): Promise<DemoCredentials | null> {
  const started = performance.now();
  const credentials = await seedDemo(deps.db, deps.totpKey, { world: deps });
  if (credentials) console.log(`Demo data seeded in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return credentials;
}

function printCredentials(credentials: DemoCredentials | null) {
  if (!credentials) return;
  console.log(
    [
      "",
      "Demo data created. These passwords are shown only now:",
      `  trader  ${credentials.trader.email}  ${credentials.trader.password}`,
      ...(credentials.world
        ? [
          "          (sign in at /signin: a funded account, a phase-2 challenge and a failed one on /dashboard)",
        ]
        : []),
      `  admin   ${credentials.admin.email}  ${credentials.admin.password}`,
      "The admin signs in with a second factor (staff must): add this key to an authenticator app,",
      `  ${credentials.admin.totpSecret}`,
      `  or open ${credentials.admin.totpUri}`,
      "",
    ].join("\n"),
  );
}

async function serve(deps: Deps, app: FreshApp) {
  const { port, hostname, appUrl, httpServer } = deps.config;
  const server = await listen({
    port,
    hostname,
    server: httpServer,
    onError: reportTo("http"),
    onListen: ({ port }) =>
      log.info(
        `PropTrade Pro listening on port ${port} (${appUrl}) — http: ${httpServer}, db: ${deps.db.kind}, bus: ${deps.bus.kind}${
          deps.redisPrefix ? ` (prefix ${deps.redisPrefix})` : ""
        }, storage: ${deps.store.kind}`,
        { scope: "app" },
      ),
  }, (req, info) => app.fetch(req, info));
  const stopMetrics = await serveMetrics(deps);
  // The venue's prices: every process follows the bus; with PRICE_FEED=simulated one process leads and makes them.
  const priceFeed = await startPriceFeed(deps, { retention: false });
  // Schedulers, the venue marker, mail and housekeeping run once per cluster: in the elected leader
  // (services/cluster/leader_jobs.ts, LEADER_JOBS); on the embedded database this process always leads.
  const leaderJobs = startLeaderJobs(deps);
  const stop = async () => {
    await server.shutdown();
    await priceFeed.stop();
    await leaderJobs.stop();
    await stopMetrics();
    await flushErrorTracking();
    await closeDeps(deps);
    Deno.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, stop);
  await server.finished;
}

/**
 * The bus-lag probe, and `/metrics` on its own listener when METRICS_PORT says so (an internal interface,
 * e.g. METRICS_BIND_HOST=127.0.0.1 or a port the load balancer does not forward).
 */
async function serveMetrics(deps: Deps): Promise<() => Promise<void>> {
  const stopProbe = await startBusLagProbe(deps.bus);
  const { metricsPort, metricsHostname } = deps.config;
  if (metricsPort === undefined) return stopProbe;
  const server = Deno.serve(
    {
      port: metricsPort,
      hostname: metricsHostname,
      onListen: ({ port, hostname }) =>
        log.info(`Metrics on http://${hostname}:${port}/metrics`, { scope: "metrics" }),
    },
    async (req) => await answerMetrics(req, deps, "internal") ?? new Response("Not found", { status: 404 }),
  );
  return async () => {
    await server.shutdown();
    await stopProbe();
  };
}

// The commands: `main` opens the services once and hands them over; each command closes them when
// done (the serving ones on SIGINT/SIGTERM).

/** `build`: a production build into `_fresh/`, without opening any service. */
async function buildCommand() {
  const manifest = await runBuild(buildOptions);
  console.log(
    `Built ${Object.keys(manifest.islands).length} island(s) and ${manifest.styles.length} stylesheet(s).`,
  );
}

/** `migrate`: applies pending migrations and exits. */
async function migrateCommand(deps: Deps) {
  const { applied } = await migrate(deps.db);
  console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
  await closeDeps(deps);
}

/** `seed`: demo data into an empty database, whatever the environment (it is asked for explicitly). */
async function seedCommand(deps: Deps) {
  await migrate(deps.db);
  const credentials = await timedSeed(deps);
  if (!credentials) console.log("The database already has data; nothing seeded.");
  printCredentials(credentials);
  await closeDeps(deps);
}

/** `admin:create <email> [role]`: the password comes from ADMIN_PASSWORD or an interactive prompt. */
async function adminCreateCommand(deps: Deps, args: string[], env: Record<string, string | undefined>) {
  try {
    await migrate(deps.db);
    const [email, role = "admin"] = args;
    if (!email) throw new Error("usage: deno task admin:create <email> [trader|support|risk|admin]");
    const password = env.ADMIN_PASSWORD ??
      (Deno.stdin.isTerminal() ? prompt("Password (leave empty to keep):") : null);
    const result = await createOrPromoteStaff(deps.db, { email, role, password: password || undefined }, {
      ...SYSTEM_ACTOR,
      userAgent: "deno task admin:create",
    });
    console.log(`${result.created ? "Created" : "Updated"} ${email} with role ${result.role}.`);
  } finally {
    await closeDeps(deps);
  }
}

/**
 * `start` / `dev`: build if sources changed → migrate → seed an empty DB → serve. The build (esbuild and
 * Tailwind, child processes) was started before the database opened: on a first start it overlaps PGlite's
 * initdb and the migrations, which keep this process busy.
 */
async function startCommand(deps: Deps, building: Promise<BuildManifest>, dev: boolean) {
  printCredentials(await prepareDatabase(deps));
  const manifest = await building;
  await serve(deps, await createApp(deps, { manifest, dev }));
}

/** `serve`: migrate → serve the build already in `_fresh/` (the container's command). */
async function serveCommand(deps: Deps) {
  const manifest = await readManifest(ROOT, buildOptions.outDir);
  if (!manifest) {
    throw new Error("No build found: run `deno task build` first (or use `deno task start`).");
  }
  printCredentials(await prepareDatabase(deps));
  await serve(deps, await createApp(deps, { manifest }));
}

/** config → deps → the command. */
async function main(command: string | undefined, args: string[]) {
  if (command === "build") return await buildCommand();
  const env = Deno.env.toObject();
  const config = await ensureSecrets(loadConfig(env));
  configureLog({ level: config.logLevel, format: logFormatFor(config.env) });
  // Before openDeps: they open the database themselves (the embedded one serves a single process).
  if (command === "backup") return await backupCommand(config);
  if (command === "restore") return await restoreCommand(config, args);
  await startErrorTracking({ dsn: config.sentryDsn, environment: config.env });
  const dev = command === "dev";
  const building = command === "start" || dev ? ensureBuild({ ...buildOptions, dev }) : null;
  // Settled here too, so that a failure to open the database is what is reported, not the build's.
  building?.catch(() => {});
  let deps: Deps;
  try {
    deps = await openDeps(config);
  } catch (error) {
    await building?.catch(() => {});
    throw error;
  }
  switch (command) {
    case "admin:create":
      return await adminCreateCommand(deps, args, env);
    case "migrate":
      return await migrateCommand(deps);
    case "seed":
      return await seedCommand(deps);
    case "start":
    case "dev":
      return await startCommand(deps, building!, dev);
    case "serve":
      return await serveCommand(deps);
    default:
      await closeDeps(deps);
      throw new Error(
        `unknown command ${
          JSON.stringify(command)
        }: use start, dev, serve, build, migrate, seed, backup or restore`,
      );
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args[0], Deno.args.slice(1));
  } catch (error) {
    // One JSON line in production, the readable text elsewhere (services/start_failure.ts).
    reportStartFailure(error, Deno.env.toObject());
    Deno.exit(1);
  }
}
