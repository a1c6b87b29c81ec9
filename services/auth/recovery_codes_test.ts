import assert from "node:assert/strict";
import { sha256Hex, toHex } from "../../lib/crypto.ts";
import { deriveTwoFactorKeys } from "./two_factor_keys.ts";
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from "./recovery_codes.ts";

Deno.test("ten distinct codes shaped xxxxx-xxxxx without ambiguous letters", () => {
  const codes = newRecoveryCodes();
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const code of codes) assert.match(code, /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
  assert.equal(newRecoveryCodes(3).length, 3);
});

Deno.test("codes carry 5 bits per symbol: every symbol of the alphabet shows up", () => {
  // 200 codes × 10 symbols: the chance that one of 32 symbols never appears is about 32 × (31/32)^2000 ≈ 0.
  const seen = new Set(newRecoveryCodes(200).join("").replaceAll("-", ""));
  assert.equal(seen.size, 32);
});

Deno.test("typed variants normalize to the same code", () => {
  assert.equal(normalizeRecoveryCode("7kq2m-xh0rd"), "7kq2mxh0rd");
  assert.equal(normalizeRecoveryCode(" 7KQ2M XH0RD "), "7kq2mxh0rd");
  assert.equal(normalizeRecoveryCode("7kq2mxhOrd"), "7kq2mxh0rd");
  assert.equal(normalizeRecoveryCode("abcde-fghi1"), "abcdefgh11");
  assert.equal(normalizeRecoveryCode("abcde-fghl1"), "abcdefgh11");
});

Deno.test("things that are not recovery codes normalize to null", () => {
  for (
    const bad of ["", "123456", "7kq2m-xh0r", "7kq2m-xh0rdd", "7kq2m-xh0ru", "7kq2m_xh0rd", "7kq2m-xh0r!"]
  ) {
    assert.equal(normalizeRecoveryCode(bad), null, JSON.stringify(bad));
  }
});

const KEYS = await deriveTwoFactorKeys("recovery-codes-test-application-secret");

Deno.test("the hash is keyed (HMAC of the normalized code's SHA-256), the same for every typed variant", async () => {
  const [code] = newRecoveryCodes(1);
  const sha = await sha256Hex(code.replace("-", ""));
  const mac = await crypto.subtle.sign("HMAC", KEYS.current.recoveryCodes, new TextEncoder().encode(sha));
  const expected = `v3:${KEYS.current.id}:${toHex(new Uint8Array(mac))}`;
  assert.equal(await hashRecoveryCode(KEYS, code), expected);
  assert.equal(await hashRecoveryCode(KEYS, code.toUpperCase().replace("-", " ")), expected);
  assert.notEqual(await hashRecoveryCode(await deriveTwoFactorKeys("another-secret"), code), expected);
  assert.equal(await hashRecoveryCode(KEYS, "123456"), null);
});
