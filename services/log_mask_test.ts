import assert from "node:assert/strict";
import { isSecretKey, maskEmail, maskText } from "./log_mask.ts";

Deno.test("mask: an email keeps its first letter and its domain", () => {
  assert.equal(maskEmail("jane.doe@example.com"), "j***@example.com");
  assert.equal(maskEmail("a@b.co"), "a***@b.co");
  assert.equal(maskEmail("not an email"), "not an email");
});

Deno.test("mask: emails and credentials inside text are masked, the rest of the text is kept", () => {
  assert.equal(
    maskText("password reset mail to jane@example.com failed"),
    "password reset mail to j***@example.com failed",
  );
  assert.equal(maskText("Authorization: Bearer eyJhbGciOi.x-y_z"), "Authorization: Bearer [redacted]");
  assert.equal(maskText("basic dXNlcjpwYXNz"), "basic [redacted]");
  assert.equal(
    maskText("/reset-password?token=abc123&next=/x"),
    "/reset-password?token=[redacted]&next=/x",
  );
  assert.equal(maskText("/confirm-email?code=9f8e#top"), "/confirm-email?code=[redacted]#top");
  assert.equal(maskText("plain text, 42 items"), "plain text, 42 items");
});

Deno.test("mask: secret field names are recognised whatever their case or prefix", () => {
  for (const key of ["password", "newPassword", "refreshToken", "Authorization", "cookie", "set-cookie"]) {
    assert.ok(isSecretKey(key), key);
  }
  for (const key of ["totpSecret", "api_key", "recoveryCode", "otp", "dsn"]) assert.ok(isSecretKey(key), key);
  for (const key of ["email", "user", "route", "status", "ip", "bytes"]) assert.ok(!isSecretKey(key), key);
});
