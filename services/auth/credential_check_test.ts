import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TooManyRequests, Unprocessable } from "../../lib/errors.ts";
import { MemoryRateLimiter } from "../rate_limit/memory.ts";
import { RATE_RULES } from "../rate_limit/rules.ts";
import { checkSecondFactor } from "./credential_check.ts";

const USER = "0b5a3c1e-4d2f-4a6b-9c8d-7e6f5a4b3c2d";
const wrong = () => Promise.reject(new Unprocessable("code", "is not valid"));

Deno.test("a code of the wrong shape is a 422 before anything is verified or counted", async () => {
  const deps = { limiter: new MemoryRateLimiter() };
  let verified = 0;
  const verify = () => Promise.resolve(verified++);
  for (const code of ["1234567", "12345", "abcdef", "", "12345a", "7kq2m-xh0rd"]) {
    const error = await checkSecondFactor(deps, USER, code, "totp", verify).catch((e) => e);
    assert.ok(error instanceof Unprocessable, code);
    assert.match(error.fields?.code ?? "", /6 digits/, code);
  }
  assert.equal(verified, 0);
  // A recovery code is a second factor where one is accepted; "123 456" is how apps show a TOTP code.
  await checkSecondFactor(deps, USER, "7KQ2M XH0RD", "totp_or_recovery", verify);
  await checkSecondFactor(deps, USER, "123 456", "totp", verify);
  assert.equal(verified, 2);
});

Deno.test("wrong codes add up to 429, even for the right code next; a success starts afresh", async () => {
  const deps = { limiter: new MemoryRateLimiter() };
  const limit = RATE_RULES.totp_account.limit;
  for (let i = 0; i < limit - 1; i++) {
    await assert.rejects(checkSecondFactor(deps, USER, "000000", "totp", wrong), Unprocessable);
  }
  await checkSecondFactor(deps, USER, "123456", "totp", () => Promise.resolve());
  for (let i = 0; i < limit; i++) {
    await assert.rejects(checkSecondFactor(deps, USER, "000000", "totp", wrong), Unprocessable);
  }
  await assert.rejects(
    checkSecondFactor(deps, USER, "123456", "totp", () => Promise.resolve()),
    TooManyRequests,
  );
});

/**
 * The functions that verify a secret without a limit, and the only modules allowed to call them: each call
 * there runs inside a `checkSecondFactor` / `checkPassword` budget. A route, page or other service calling one
 * directly would be an unlimited guessing oracle again.
 */
const UNLIMITED: Record<string, string[]> = {
  verifyPassword: ["services/auth/credential_check.ts"],
  verifySecondFactor: ["services/auth/accounts.ts"],
  beginTotpEnrollment: ["services/auth/two_factor_settings.ts"],
  confirmTotpEnrollment: ["services/auth/two_factor_settings.ts"],
  disableTotp: ["services/auth/two_factor_settings.ts"],
  regenerateRecoveryCodes: ["services/auth/two_factor_settings.ts"],
};

Deno.test("every password or code check in the app goes through the limited check", async () => {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const offenders: string[] = [];
  async function scan(dir: string) {
    for await (const entry of Deno.readDir(join(root, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await scan(path);
      else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) {
        const text = await Deno.readTextFile(join(root, path));
        for (const [fn, allowed] of Object.entries(UNLIMITED)) {
          const definedHere = new RegExp(`export (async )?function ${fn}\\b`).test(text);
          if (!definedHere && new RegExp(`\\b${fn}\\(`).test(text) && !allowed.includes(path)) {
            offenders.push(`${path} calls ${fn}`);
          }
        }
      }
    }
  }
  for (const dir of ["routes", "services", "islands", "components", "lib"]) await scan(dir);
  assert.deepEqual(offenders, []);
});
