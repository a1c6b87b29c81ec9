import assert from "node:assert/strict";
import { ConfigError, ensureSecrets, loadConfig } from "./config.ts";

Deno.test("config: defaults give the embedded mode on port 8000", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8000);
  assert.equal(config.appUrl, "http://localhost:8000");
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.redisUrl, undefined);
  assert.equal(config.s3, undefined);
  assert.equal(config.env, "development");
});

Deno.test("config: a bad value names the variable", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: "eighty" }, /PORT/],
    [{ PORT: "70000" }, /PORT/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL: must start with postgres: or postgresql:/],
    [{ REDIS_URL: "not a url" }, /REDIS_URL/],
    [{ S3_ENDPOINT: "http://s3.local" }, /S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/],
    [{ APP_ENV: "production" }, /JWT_SECRET: required when APP_ENV=production/],
    [{ JWT_SECRET: "short" }, /JWT_SECRET: must be at least 32 characters/],
    [{ TRUST_PROXY: "yes" }, /TRUST_PROXY/],
    [{ SUPPORT_EMAIL: "help desk" }, /SUPPORT_EMAIL: must be an email address/],
    [{ PRIVACY_EMAIL: "Privacy <dpo@x.example>" }, /PRIVACY_EMAIL: must be an email address/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));
  }
});

Deno.test("config: empty variables count as unset; S3 is all or nothing", () => {
  assert.equal(loadConfig({ DATABASE_URL: "" }).databaseUrl, undefined);
  const config = loadConfig({
    S3_ENDPOINT: "http://127.0.0.1:9000",
    S3_BUCKET: "docs",
    S3_ACCESS_KEY_ID: "key",
    S3_SECRET_ACCESS_KEY: "secret",
  });
  assert.deepEqual(config.s3, {
    endpoint: "http://127.0.0.1:9000",
    publicEndpoint: undefined,
    bucket: "docs",
    region: "us-east-1",
    accessKeyId: "key",
    secretAccessKey: "secret",
  });
});

Deno.test("config: development secrets are generated once and kept", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const first = await ensureSecrets(loadConfig({ DATA_DIR: dataDir }));
    const second = await ensureSecrets(loadConfig({ DATA_DIR: dataDir }));
    assert.equal(first.jwtSecret.length, 64);
    assert.equal(first.jwtSecret, second.jwtSecret);
    assert.notEqual(first.jwtSecret, first.syncSecret);
    assert.match(first.kycEncryptionKey, /^[0-9a-f]{64}$/);
    assert.equal(first.kycEncryptionKey, second.kycEncryptionKey);
    assert.equal((await Deno.stat(`${dataDir}/secrets.json`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("config: without a proxy in front the listener that bounds slow clients is chosen", () => {
  assert.equal(loadConfig({}).httpServer, "node");
  assert.equal(loadConfig({ TRUST_PROXY: "true" }).httpServer, "deno");
  assert.equal(loadConfig({ HTTP_SERVER: "deno" }).httpServer, "deno");
  assert.equal(loadConfig({ TRUST_PROXY: "true", HTTP_SERVER: "node" }).httpServer, "node");
});

Deno.test("config: contact addresses default to the public host and can be set", () => {
  const local = loadConfig({});
  assert.equal(local.supportEmail, "support@localhost");
  assert.equal(local.privacyEmail, "privacy@localhost");
  const hosted = loadConfig({ APP_URL: "https://trade.proptrade.example:8443/" });
  assert.equal(hosted.supportEmail, "support@trade.proptrade.example");
  assert.equal(hosted.privacyEmail, "privacy@trade.proptrade.example");
  const set = loadConfig({
    APP_URL: "https://trade.proptrade.example",
    SUPPORT_EMAIL: "help@proptrade.example",
    PRIVACY_EMAIL: "dpo@proptrade.example",
  });
  assert.equal(set.supportEmail, "help@proptrade.example");
  assert.equal(set.privacyEmail, "dpo@proptrade.example");
});

Deno.test("config: the KYC encryption key is 64 hex digits, required in production, retired keys a list", () => {
  const key = "AB".repeat(32);
  const config = loadConfig({
    KYC_ENCRYPTION_KEY: key,
    KYC_ENCRYPTION_KEYS_RETIRED: `${"1".repeat(64)},${"2".repeat(64)}`,
  });
  assert.equal(config.kycEncryptionKey, key.toLowerCase());
  assert.deepEqual(config.kycEncryptionKeysRetired, ["1".repeat(64), "2".repeat(64)]);
  assert.throws(
    () => loadConfig({ KYC_ENCRYPTION_KEY: "short" }),
    /KYC_ENCRYPTION_KEY: must be 64 hex digits/,
  );
  assert.throws(
    () =>
      loadConfig({
        APP_ENV: "production",
        JWT_SECRET: "x".repeat(32),
        SYNC_SECRET: "y".repeat(32),
        DATABASE_URL: "postgres://db/app",
        APP_URL: "https://app.example",
        PAYMENT_WEBHOOK_SECRET: "z".repeat(32),
      }),
    /KYC_ENCRYPTION_KEY: required when APP_ENV=production/,
  );
});

Deno.test("config: the price feed is simulated by default, with a seed and an interval; bad values are named", () => {
  assert.deepEqual(loadConfig({}).priceFeed, {
    source: "simulated",
    seed: "proptrade-demo",
    intervalMs: 250,
  });
  assert.deepEqual(
    loadConfig({ PRICE_FEED: "webhook", PRICE_FEED_SEED: "s1", PRICE_FEED_INTERVAL_MS: "1000" }).priceFeed,
    { source: "webhook", seed: "s1", intervalMs: 1000 },
  );
  assert.equal(loadConfig({ PRICE_FEED: "off" }).priceFeed.source, "off");
  const cases: [Record<string, string>, RegExp][] = [
    [{ PRICE_FEED: "random" }, /PRICE_FEED/],
    [{ PRICE_FEED_INTERVAL_MS: "10" }, /PRICE_FEED_INTERVAL_MS/],
    [{ PRICE_FEED_INTERVAL_MS: "fast" }, /PRICE_FEED_INTERVAL_MS/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));
  }
});

Deno.test("config: backups go to DATA_DIR/backups by default; the S3 target needs the S3 settings", () => {
  const config = loadConfig({ DATA_DIR: "/srv/data/" });
  assert.deepEqual(config.backup, {
    target: "dir",
    dir: "/srv/data/backups",
    keep: 14,
    maxAgeDays: 30,
    everyHours: undefined,
  });
  assert.throws(() => loadConfig({ BACKUP_TARGET: "s3" }), /BACKUP_TARGET: s3 needs the S3_\* values/);
  assert.throws(() => loadConfig({ BACKUP_KEEP: "0" }), /BACKUP_KEEP/);
  assert.throws(() => loadConfig({ BACKUP_TARGET: "ftp" }), /BACKUP_TARGET/);
});

Deno.test("config: TRUSTED_PROXIES takes addresses and CIDRs, refuses anything else, and picks Deno.serve", () => {
  const config = loadConfig({ TRUSTED_PROXIES: "127.0.0.2, 10.0.0.0/8,fd00::/8" });
  assert.deepEqual(config.trustedProxies, ["127.0.0.2", "10.0.0.0/8", "fd00::/8"]);
  assert.equal(config.httpServer, "deno");
  assert.deepEqual(loadConfig({}).trustedProxies, []);
  assert.throws(() => loadConfig({ TRUSTED_PROXIES: "nginx.internal" }), /TRUSTED_PROXIES/);
  assert.equal(loadConfig({ BACKUP_EVERY_HOURS: "24" }).backup.everyHours, 24);
  assert.throws(() => loadConfig({ BACKUP_EVERY_HOURS: "0" }), /BACKUP_EVERY_HOURS/);
});
