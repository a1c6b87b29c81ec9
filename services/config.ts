import { z } from "zod";
import { moneySchema } from "./money.ts";
import { isAddressOrCidr } from "./client_ip.ts";

/**
 * The one place the environment is read. `loadConfig` runs once at start-up (fresh.config.ts); everything
 * else receives the parsed `Config`. A bad value stops start-up with a message naming the variable.
 * Every variable is listed, with its default, in the README's configuration table.
 */

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const url = (protocols: string[]) =>
  z.string().url().refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
    message: `must start with ${protocols.join(" or ")}//`,
  });
const secret = z.string().min(32, "must be at least 32 characters");

const schema = z.object({
  APP_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  // Not HOSTNAME: shells and Docker export that as the machine name, which is not an interface to bind.
  BIND_HOST: z.string().min(1).default("0.0.0.0"),
  // Unset: node:http unless TRUST_PROXY says a proxy of ours is in front. Deno.serve in Deno 2.9 never closes a
  // connection whose headers do not finish (nor an idle keep-alive one), so on its own it can be held open by
  // any slow client; node:http bounds both (lib/http_listener.ts). A proxy (nginx) bounds them itself, and
  // then Deno.serve's ~3× request rate is worth having. Set explicitly to override either way.
  HTTP_SERVER: z.enum(["node", "deno"]).optional(),
  APP_URL: url(["http:", "https:"]).optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: url(["redis:", "rediss:"]).optional(),
  // Before every Redis channel and key (services/redis_prefix.ts); unset: derived from the database's identity.
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 of A-Z a-z 0-9 _ . -").optional(),
  S3_ENDPOINT: url(["http:", "https:"]).optional(),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_PUBLIC_ENDPOINT: url(["http:", "https:"]).optional(),
  JWT_SECRET: secret.optional(),
  SYNC_SECRET: secret.optional(),
  // 2FA secrets and recovery codes (services/auth/two_factor_keys.ts); unset: JWT_SECRET, as before it existed.
  TWO_FACTOR_KEY: secret.optional(),
  // Comma-separated older 2FA keys, to read TOTP secrets (re-sealed at start) and recovery codes from before.
  TWO_FACTOR_KEYS_RETIRED: z.string().refine(
    (v) => v.split(",").every((key) => key.length >= 32),
    "must be comma-separated keys of at least 32 characters each",
  ).optional(),
  PAYMENT_PROVIDER: z.enum(["demo", "webhook"]).optional(),
  PAYMENT_WEBHOOK_SECRET: secret.optional(),
  // KYC documents are encrypted by the app (services/storage/encryption.ts) with this 32-byte key.
  KYC_ENCRYPTION_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits (32 bytes)").optional(),
  // Comma-separated older keys, still needed to read documents encrypted before a rotation.
  KYC_ENCRYPTION_KEYS_RETIRED: z.string().regex(
    /^[0-9a-fA-F]{64}(,[0-9a-fA-F]{64})*$/,
    "must be 64-hex keys, comma-separated",
  ).optional(),
  SMTP_URL: url(["smtp:", "smtps:"]).optional(),
  MAIL_FROM: z.string().min(3).max(200).regex(/@/, "must contain an email address").optional(),
  SUPPORT_EMAIL: z.string().max(200).regex(/^[^\s@<>"]+@[^\s@<>"]+$/, "must be an email address").optional(),
  PRIVACY_EMAIL: z.string().max(200).regex(/^[^\s@<>"]+@[^\s@<>"]+$/, "must be an email address").optional(),
  TRUST_PROXY: bool.default(false),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // One line per request (method, route pattern, status, duration, bytes, request id, user, ip); default on
  // except under APP_ENV=test, where thousands of requests would bury what a failing test printed.
  ACCESS_LOG: bool.optional(),
  // Bearer token a Prometheus scraper sends to GET /metrics (services/metrics/mod.ts).
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").regex(
    /^\S+$/,
    "must not contain spaces",
  )
    .optional(),
  // Serve /metrics only on this port (an internal listener), not on PORT.
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_BIND_HOST: z.string().min(1).optional(),
  METRICS_DB_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(15),
  // Error tracking through @sentry/deno, only when set.
  SENTRY_DSN: url(["http:", "https:"]).optional(),
  PAYOUT_FOUR_EYES_ABOVE: moneySchema().default("5000.00"),
  PRICE_FEED: z.enum(["simulated", "webhook", "off"]).default("simulated"),
  PRICE_FEED_SEED: z.string().min(1).max(200).default("proptrade-demo"),
  // Per symbol; 250 ms = 4 ticks a second. Below 50 ms the storage and every stream pay for noise.
  PRICE_FEED_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(250),
  // `deno task backup` (services/backup/): a directory (default DATA_DIR/backups) or the S3 bucket.
  BACKUP_TARGET: z.enum(["dir", "s3"]).default("dir"),
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(14),
  BACKUP_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  // The cluster leader writes a backup when the newest is older than this many hours (PostgreSQL only; unset: never).
  BACKUP_EVERY_HOURS: z.coerce.number().min(1).max(8760).optional(),
  // Comma-separated addresses or CIDRs of our proxies (nginx): only a request from one of them has its
  // X-Forwarded-For read (services/client_ip.ts). Setting it implies TRUST_PROXY for the HTTP server choice.
  TRUSTED_PROXIES: z.string().refine(
    (v) => v.split(",").every(isAddressOrCidr),
    "must be comma-separated IP addresses or CIDRs, e.g. 127.0.0.1,10.0.0.0/8",
  ).optional(),
});

/** Every variable the configuration reads, in the schema's order (the README's table lists each). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

export interface Config {
  env: "development" | "production" | "test";
  port: number;
  hostname: string;
  /** Which HTTP server listens (lib/http_listener.ts). */
  httpServer: "node" | "deno";
  appUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  redisUrl: string | undefined;
  /** REDIS_PREFIX; unset → derived from the database at start (services/deps.ts). */
  redisPrefix: string | undefined;
  s3:
    | {
      endpoint: string;
      /** Where browsers reach the store, when not at `endpoint` (signed URLs are signed for this host). */
      publicEndpoint: string | undefined;
      bucket: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
    }
    | undefined;
  /** Undefined only outside production; `ensureSecrets` fills them from the data directory. */
  jwtSecret: string | undefined;
  syncSecret: string | undefined;
  /** Current 2FA key; unset → `jwtSecret` (services/auth/two_factor_keys.ts twoFactorKeysOf). */
  twoFactorKey: string | undefined;
  /** 2FA keys of earlier rotations, for reading only. */
  twoFactorKeysRetired: string[];
  /**
   * How orders are paid: `demo` marks them paid at once (never in production); `webhook` leaves them pending
   * until the payment provider's signed webhook confirms the payment.
   */
  paymentProvider: "demo" | "webhook";
  /** HMAC key of the payment webhook; generated like the other secrets outside production. */
  paymentWebhookSecret: string | undefined;
  /** AES key (64 hex digits) of KYC documents; generated like the other secrets outside production. */
  kycEncryptionKey: string | undefined;
  /** Keys of earlier rotations, for reading older documents only. */
  kycEncryptionKeysRetired: string[];
  smtpUrl: string | undefined;
  /** Sender of every mail, e.g. `PropTrade Pro <no-reply@proptrade.example>`. */
  mailFrom: string;
  /** Where traders write for help: the legal pages and mails name it, e.g. `support@proptrade.example`. */
  supportEmail: string;
  /** Where data-protection requests go (the privacy notice names it). */
  privacyEmail: string;
  trustProxy: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  /** One access-log line per request. */
  accessLog: boolean;
  /** Bearer token that `/metrics` asks for; unset → open outside production, 404 in production. */
  metricsToken: string | undefined;
  /** When set, `/metrics` is served on this port only (internal listener), at `metricsHostname`. */
  metricsPort: number | undefined;
  metricsHostname: string;
  /** How long the business figures read from the database for `/metrics` are reused. */
  metricsDbCacheSeconds: number;
  /** Sentry (or compatible) DSN; error tracking is off without it. */
  sentryDsn: string | undefined;
  /** A payout whose trader share is above this (decimal string) needs two different staff approvals. */
  payoutFourEyesAbove: string;
  /**
   * Where the venue's prices come from (services/venue/feed.ts): `simulated` (a seeded random walk, one leader
   * per deployment), `webhook` (signed batches at `POST /api/venue/prices`) or `off` (no new prices).
   */
  priceFeed: { source: "simulated" | "webhook" | "off"; seed: string; intervalMs: number };
  /** Where `deno task backup` writes and how many it keeps (services/backup/). */
  backup: {
    /** `dir`: files under `dir`; `s3`: objects under `backups/` in the S3 bucket (needs the `S3_*` values). */
    target: "dir" | "s3";
    dir: string;
    /** Newest backups kept; older ones are pruned after a successful backup. */
    keep: number;
    /** Backups older than this are pruned too (the newest one never is). */
    maxAgeDays: number;
    /** The cluster leader writes a backup when the newest is older than this (hours); unset: never. */
    everyHours: number | undefined;
  };
  /**
   * Addresses and CIDRs of our proxies (TRUSTED_PROXIES): X-Forwarded-For is read only on a request whose
   * peer is one of them (services/client_ip.ts). Empty: TRUST_PROXY decides, as before.
   */
  trustedProxies: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment (pass `Deno.env.toObject()`); throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set": `FOO=` in an env file must not count as a value.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];

  const s3Vars = [e.S3_ENDPOINT, e.S3_BUCKET, e.S3_ACCESS_KEY_ID, e.S3_SECRET_ACCESS_KEY];
  if (s3Vars.some(Boolean) && !s3Vars.every(Boolean)) {
    problems.push(
      "S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or none of them)",
    );
  }
  const paymentProvider = e.PAYMENT_PROVIDER ?? (e.APP_ENV === "production" ? "webhook" : "demo");
  if (e.APP_ENV === "production") {
    for (
      const name of ["JWT_SECRET", "SYNC_SECRET", "DATABASE_URL", "APP_URL", "KYC_ENCRYPTION_KEY"] as const
    ) {
      if (!e[name]) problems.push(`${name}: required when APP_ENV=production`);
    }
    // The demo provider hands out challenges without taking money.
    if (paymentProvider === "demo") {
      problems.push("PAYMENT_PROVIDER: demo is refused when APP_ENV=production");
    } else if (!e.PAYMENT_WEBHOOK_SECRET) {
      problems.push("PAYMENT_WEBHOOK_SECRET: required when APP_ENV=production");
    }
  }
  if (e.BACKUP_TARGET === "s3" && !e.S3_ENDPOINT) {
    problems.push("BACKUP_TARGET: s3 needs the S3_* values (S3_ENDPOINT, S3_BUCKET and the credentials)");
  }
  if (problems.length) throw new ConfigError(problems);

  // Addresses at the public host unless configured: `support@proptrade.example` for APP_URL
  // https://proptrade.example (production requires APP_URL), `support@localhost` in development.
  const host = new URL(e.APP_URL ?? "http://localhost").hostname;
  return {
    env: e.APP_ENV,
    port: e.PORT,
    hostname: e.BIND_HOST,
    httpServer: e.HTTP_SERVER ?? (e.TRUST_PROXY || e.TRUSTED_PROXIES ? "deno" : "node"),
    appUrl: (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    s3: e.S3_ENDPOINT
      ? {
        endpoint: e.S3_ENDPOINT,
        publicEndpoint: e.S3_PUBLIC_ENDPOINT,
        bucket: e.S3_BUCKET!,
        region: e.S3_REGION,
        accessKeyId: e.S3_ACCESS_KEY_ID!,
        secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
      }
      : undefined,
    jwtSecret: e.JWT_SECRET,
    syncSecret: e.SYNC_SECRET,
    twoFactorKey: e.TWO_FACTOR_KEY,
    twoFactorKeysRetired: e.TWO_FACTOR_KEYS_RETIRED?.split(",") ?? [],
    paymentProvider,
    paymentWebhookSecret: e.PAYMENT_WEBHOOK_SECRET,
    kycEncryptionKey: e.KYC_ENCRYPTION_KEY?.toLowerCase(),
    kycEncryptionKeysRetired: e.KYC_ENCRYPTION_KEYS_RETIRED?.toLowerCase().split(",") ?? [],
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? `PropTrade Pro <no-reply@${host}>`,
    supportEmail: e.SUPPORT_EMAIL ?? `support@${host}`,
    privacyEmail: e.PRIVACY_EMAIL ?? `privacy@${host}`,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    accessLog: e.ACCESS_LOG ?? e.APP_ENV !== "test",
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    metricsHostname: e.METRICS_BIND_HOST ?? e.BIND_HOST,
    metricsDbCacheSeconds: e.METRICS_DB_CACHE_SECONDS,
    sentryDsn: e.SENTRY_DSN,
    payoutFourEyesAbove: e.PAYOUT_FOUR_EYES_ABOVE,
    priceFeed: { source: e.PRICE_FEED, seed: e.PRICE_FEED_SEED, intervalMs: e.PRICE_FEED_INTERVAL_MS },
    backup: {
      target: e.BACKUP_TARGET,
      dir: e.BACKUP_DIR ?? `${e.DATA_DIR.replace(/\/+$/, "")}/backups`,
      keep: e.BACKUP_KEEP,
      maxAgeDays: e.BACKUP_MAX_AGE_DAYS,
      everyHours: e.BACKUP_EVERY_HOURS,
    },
    trustedProxies: e.TRUSTED_PROXIES?.split(",").map((s) => s.trim()) ?? [],
  };
}

/** The secrets `ensureSecrets` guarantees. */
export interface GeneratedSecrets {
  jwtSecret: string;
  syncSecret: string;
  paymentWebhookSecret: string;
  kycEncryptionKey: string;
}

/**
 * Outside production, missing secrets are generated once and kept in `DATA_DIR/secrets.json` (mode 0600),
 * so a newcomer needs no set-up and sessions survive restarts. Production must set them (loadConfig).
 */
export async function ensureSecrets(config: Config): Promise<Config & GeneratedSecrets> {
  if (config.jwtSecret && config.syncSecret && config.paymentWebhookSecret && config.kycEncryptionKey) {
    return config as Config & GeneratedSecrets;
  }
  const file = `${config.dataDir}/secrets.json`;
  let stored: Partial<GeneratedSecrets> = {};
  try {
    stored = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const make = () =>
    Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
  const next: GeneratedSecrets = {
    jwtSecret: stored.jwtSecret ?? make(),
    syncSecret: stored.syncSecret ?? make(),
    paymentWebhookSecret: stored.paymentWebhookSecret ?? make(),
    // Never regenerated once stored: documents encrypted with it would become unreadable.
    kycEncryptionKey: stored.kycEncryptionKey ?? make(),
  };
  if ((Object.keys(next) as (keyof GeneratedSecrets)[]).some((key) => next[key] !== stored[key])) {
    await Deno.mkdir(config.dataDir, { recursive: true });
    await Deno.writeTextFile(file, JSON.stringify(next, null, 2), { mode: 0o600 });
  }
  return {
    ...config,
    jwtSecret: config.jwtSecret ?? next.jwtSecret,
    syncSecret: config.syncSecret ?? next.syncSecret,
    paymentWebhookSecret: config.paymentWebhookSecret ?? next.paymentWebhookSecret,
    kycEncryptionKey: config.kycEncryptionKey ?? next.kycEncryptionKey,
  };
}
