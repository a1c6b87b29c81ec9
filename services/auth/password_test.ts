import assert from "node:assert/strict";
import { hashPassword, verifyPassword } from "./password.ts";

Deno.test("a password hashes to argon2id with the configured cost and verifies", async () => {
  const hash = await hashPassword("correct horse battery staple");
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await verifyPassword(hash, "correct horse battery staple"), true);
});

Deno.test("a wrong password does not verify", async () => {
  const hash = await hashPassword("s3cret-pass");
  assert.equal(await verifyPassword(hash, "s3cret-Pass"), false);
  assert.equal(await verifyPassword(hash, ""), false);
});

Deno.test("the same password hashes differently each time (random salt)", async () => {
  const [a, b] = [await hashPassword("same"), await hashPassword("same")];
  assert.notEqual(a, b);
  assert.equal(await verifyPassword(b, "same"), true);
});

Deno.test("a malformed hash is a mismatch, not an error", async () => {
  assert.equal(await verifyPassword("not-a-hash", "x"), false);
  assert.equal(await verifyPassword("$2b$10$abcdefghijklmnopqrstuv", "x"), false);
});

Deno.test("non-ASCII passwords round-trip", async () => {
  const hash = await hashPassword("pässwörd 🔐 пароль");
  assert.equal(await verifyPassword(hash, "pässwörd 🔐 пароль"), true);
  assert.equal(await verifyPassword(hash, "passwort 🔐 пароль"), false);
});
