import assert from "node:assert/strict";
import { DEVICE_TOKEN_SECONDS, deviceOf, deviceTokenKey, issueDeviceToken } from "./device_tokens.ts";

const USER = "0b5a3c1e-4d2f-4a6b-9c8d-7e6f5a4b3c2d";
const OTHER = "1c6b4d2f-5e3a-4b7c-8d9e-8f7a6b5c4d3e";
const NOW = new Date("2026-03-01T12:00:00Z");
const key = await deviceTokenKey("test-application-secret");

Deno.test("a device token names its device for its own account only", async () => {
  const token = await issueDeviceToken(key, USER, NOW);
  const device = await deviceOf(key, token, USER, NOW);
  assert.match(device ?? "", /^[A-Za-z0-9_-]{22}$/);
  assert.equal(await deviceOf(key, token, OTHER, NOW), null, "borrowed by another account");
  assert.notEqual(await deviceOf(key, await issueDeviceToken(key, USER, NOW), USER, NOW), device);
});

Deno.test("a forged, tampered, expired or foreign-key device token is unknown", async () => {
  const token = await issueDeviceToken(key, USER, NOW);
  const parts = token.split(".");
  const mac = parts[4];
  // Every spelling of the last symbol but the issued one, including those differing only in unused bits.
  for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
    if (c === mac.at(-1)) continue;
    assert.equal(await deviceOf(key, `${token.slice(0, -1)}${c}`, USER, NOW), null, `last symbol ${c}`);
  }
  const younger = [parts[0], parts[1], String(Number(parts[2]) + 3600), parts[3], mac].join(".");
  assert.equal(await deviceOf(key, younger, USER, NOW), null, "issued-at moved");
  const later = new Date(NOW.getTime() + (DEVICE_TOKEN_SECONDS + 1) * 1000);
  assert.equal(await deviceOf(key, token, USER, later), null, "expired");
  const otherKey = await deviceTokenKey("another-secret");
  assert.equal(await deviceOf(otherKey, token, USER, NOW), null, "another server's key");
  for (const junk of [undefined, null, "", "v1", "v2" + token.slice(2), `${token}.x`, "v1.a.b.c.d"]) {
    assert.equal(await deviceOf(key, junk, USER, NOW), null, String(junk));
  }
});
