import assert from "node:assert/strict";
import { boxKeyId, deriveKey, open, seal } from "./secret_box.ts";

const APP_SECRET = "test-application-secret-of-reasonable-length";

Deno.test("a sealed secret opens with the same key and context", async () => {
  const key = await deriveKey(APP_SECRET, "totp-secret");
  const sealed = await seal(key, "JBSWY3DPEHPK3PXP", "user-1");
  assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  assert.ok(!sealed.includes("JBSWY3DPEHPK3PXP"));
  assert.equal(await open(key, sealed, "user-1"), "JBSWY3DPEHPK3PXP");
});

Deno.test("the same key is derived again from the same secret and purpose (boxes survive a restart)", async () => {
  const sealed = await seal(await deriveKey(APP_SECRET, "totp-secret"), "hello");
  assert.equal(await open(await deriveKey(APP_SECRET, "totp-secret"), sealed), "hello");
});

Deno.test("sealing twice gives different boxes (random IV)", async () => {
  const key = await deriveKey(APP_SECRET, "totp-secret");
  const [a, b] = [await seal(key, "same"), await seal(key, "same")];
  assert.notEqual(a, b);
  assert.notEqual(a.split(".")[1], b.split(".")[1]);
});

Deno.test("empty and non-ASCII plaintexts round-trip", async () => {
  const key = await deriveKey(APP_SECRET, "p");
  assert.equal(await open(key, await seal(key, "")), "");
  assert.equal(await open(key, await seal(key, "tajné 🔐 секрет")), "tajné 🔐 секрет");
});

Deno.test("a box does not open with another purpose's key or another secret's key", async () => {
  const sealed = await seal(await deriveKey(APP_SECRET, "totp-secret"), "x");
  await assert.rejects(open(await deriveKey(APP_SECRET, "other-purpose"), sealed), /does not authenticate/);
  await assert.rejects(
    open(await deriveKey(APP_SECRET + "!", "totp-secret"), sealed),
    /does not authenticate/,
  );
});

Deno.test("a box bound to one context does not open under another (no copying between rows)", async () => {
  const key = await deriveKey(APP_SECRET, "totp-secret");
  const sealed = await seal(key, "secret", "user-a");
  await assert.rejects(open(key, sealed, "user-b"), /does not authenticate/);
  await assert.rejects(open(key, sealed), /does not authenticate/);
});

Deno.test("tampering with any part of a box is detected", async (t) => {
  const key = await deriveKey(APP_SECRET, "totp-secret");
  const sealed = await seal(key, "JBSWY3DPEHPK3PXP");
  const [version, iv, body] = sealed.split(".");

  const flip = (b64: string, index: number) => {
    const bytes = Uint8Array.fromBase64(b64, { alphabet: "base64url" });
    bytes[index] ^= 0x01;
    return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
  };
  const bodyLength = Uint8Array.fromBase64(body, { alphabet: "base64url" }).length;

  await t.step("a flipped ciphertext bit", async () => {
    await assert.rejects(open(key, [version, iv, flip(body, 0)].join(".")), /does not authenticate/);
  });
  await t.step("a flipped tag bit", async () => {
    await assert.rejects(
      open(key, [version, iv, flip(body, bodyLength - 1)].join(".")),
      /does not authenticate/,
    );
  });
  await t.step("a flipped IV bit", async () => {
    await assert.rejects(open(key, [version, flip(iv, 3), body].join(".")), /does not authenticate/);
  });
  await t.step("a truncated body", async () => {
    await assert.rejects(open(key, [version, iv, body.slice(0, -4)].join(".")));
  });
  await t.step("another version label", async () => {
    await assert.rejects(open(key, ["v2", iv, body].join(".")), /expected "v1/);
  });
  await t.step("malformed boxes", async () => {
    for (const bad of ["", "v1", "v1..", "v1.x.y", `v1.${iv}.${body}.extra`, `v1.${iv}=.${body}`]) {
      await assert.rejects(open(key, bad), Error, `accepted ${JSON.stringify(bad)}`);
    }
  });
});

Deno.test("deriveKey refuses an empty secret or purpose", async () => {
  await assert.rejects(deriveKey("", "totp-secret"), /secret is empty/);
  await assert.rejects(deriveKey(APP_SECRET, ""), /purpose is empty/);
});

Deno.test("a box sealed with a key id names it, and the id cannot be changed", async () => {
  const key = await deriveKey(APP_SECRET, "totp-secret");
  const sealed = await seal(key, "JBSWY3DPEHPK3PXP", "user-1", "0123abcd");
  assert.match(sealed, /^v2\.0123abcd\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  assert.equal(boxKeyId(sealed), "0123abcd");
  assert.equal(boxKeyId(await seal(key, "x")), null);
  assert.equal(await open(key, sealed, "user-1"), "JBSWY3DPEHPK3PXP");
  await assert.rejects(open(key, sealed.replace("0123abcd", "0123abce"), "user-1"), /does not authenticate/);
  // Nor dropped, to pass as a v1 box.
  const [, , iv, body] = sealed.split(".");
  await assert.rejects(open(key, `v1.${iv}.${body}`, "user-1"), /does not authenticate/);
});
