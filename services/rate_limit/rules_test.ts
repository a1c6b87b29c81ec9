import assert from "node:assert/strict";
import { TooManyRequests } from "../../lib/errors.ts";
import { MemoryRateLimiter } from "./memory.ts";
import { enforce, RATE_RULES, ruleKey } from "./rules.ts";

Deno.test("enforce throws TooManyRequests (429, Retry-After) once a rule is spent", async () => {
  const limiter = new MemoryRateLimiter();
  for (let i = 0; i < 5; i++) await enforce(limiter, RATE_RULES.login_account_ip, "alice@example.com");
  const error = await enforce(limiter, RATE_RULES.login_account_ip, "alice@example.com").then(
    () => null,
    (e) => e,
  );
  assert.ok(error instanceof TooManyRequests);
  assert.equal(error.status, 429);
  assert.equal(error.code, "rate_limited");
  assert.equal(error.headers?.["retry-after"], "900");
  assert.equal(error.message, "Too many requests; retry in 900 s.");
});

Deno.test("enforce counts each rule separately for the same key, and reset uses ruleKey", async () => {
  const limiter = new MemoryRateLimiter();
  const rule = { name: "tiny", limit: 1, windowSeconds: 60 };
  const other = { name: "other", limit: 1, windowSeconds: 60 };
  await enforce(limiter, rule, "u1");
  await enforce(limiter, other, "u1"); // not refused: another rule's count
  await assert.rejects(() => enforce(limiter, rule, "u1"), TooManyRequests);
  await limiter.reset(ruleKey(rule, "u1"));
  await enforce(limiter, rule, "u1");
});

Deno.test("the named rules are sane: names match, limits positive, TOTP fails closed", () => {
  for (const [name, rule] of Object.entries(RATE_RULES)) {
    assert.equal(rule.name, name);
    assert.ok(Number.isInteger(rule.limit) && rule.limit > 0, name);
    assert.ok(rule.windowSeconds > 0, name);
  }
  assert.deepEqual(
    { limit: RATE_RULES.login_account_ip.limit, windowSeconds: RATE_RULES.login_account_ip.windowSeconds },
    { limit: 5, windowSeconds: 900 },
  );
  assert.equal(RATE_RULES.login_ip.limit, 30);
  assert.equal(RATE_RULES.api_ip.limit, 300);
  assert.equal(RATE_RULES.totp_account.failClosed, true);
  for (
    const rule of [RATE_RULES.login_account_ip, RATE_RULES.login_account_unknown, RATE_RULES.login_device]
  ) {
    assert.equal("failClosed" in rule, false, `${rule.name}: logins fail open (availability)`);
  }
  assert.ok(
    RATE_RULES.login_account_unknown.limit > RATE_RULES.login_account_ip.limit,
    "one address cannot spend the whole unknown-client budget of an account",
  );
});
