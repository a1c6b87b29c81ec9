import assert from "node:assert/strict";
import { Unprocessable } from "../../lib/errors.ts";
import { encodeKeyPath, validateExpiry, validateKey, validatePrefix } from "./store.ts";

Deno.test("validateKey accepts ordinary hierarchical keys", () => {
  for (
    const key of ["a", "kyc/7f3c/passport.pdf", "reports/2030-01/ünïcødé €.csv", "a..b/c", "x".repeat(255)]
  ) {
    assert.equal(validateKey(key), key);
  }
  assert.equal(validateKey(`${"x".repeat(255)}/${"y".repeat(255)}`).length, 511);
});

Deno.test("validateKey rejects traversal and keys a filesystem would rewrite", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["/etc/passwd", /start with/],
    ["..", /"\." or "\.\." segments/],
    ["../x", /"\." or "\.\." segments/],
    ["a/../../x", /"\." or "\.\." segments/],
    ["a/./b", /"\." or "\.\." segments/],
    ["a\\..\\b", /backslashes/],
    ["a\nb", /control/],
    ["a\u0000b", /control/],
    ["a\u007fb", /control/],
    ["a//b", /empty segments/],
    ["a/", /empty segments/],
    ["x".repeat(256), /segment longer/],
    [`${"x/".repeat(256)}x`, /at most 512 bytes/],
    ["€".repeat(171) + "/x", /at most 512 bytes/], // 515 bytes in UTF-8, 173 UTF-16 units
  ];
  for (const [key, message] of cases) {
    assert.throws(() => validateKey(key), (e) => {
      assert.ok(e instanceof Unprocessable, `${JSON.stringify(key)}: ${e}`);
      assert.equal(e.status, 422);
      assert.match(e.fields!.key, message, JSON.stringify(key));
      return true;
    });
  }
});

Deno.test("validatePrefix allows partial and folder prefixes but not traversal", () => {
  for (const prefix of ["", "kyc/", "kyc/u1/pa", "k"]) assert.equal(validatePrefix(prefix), prefix);
  for (const prefix of ["../", "/", "a//", "a/../"]) {
    assert.throws(() => validatePrefix(prefix), Unprocessable);
  }
});

Deno.test("validateExpiry is S3's range for presigned URLs", () => {
  assert.equal(validateExpiry(1), 1);
  assert.equal(validateExpiry(604800), 604800);
  for (const bad of [0, -1, 1.5, 604801, NaN]) assert.throws(() => validateExpiry(bad), RangeError);
});

Deno.test("encodeKeyPath encodes segments, keeps slashes, and is RFC 3986 strict", () => {
  assert.equal(encodeKeyPath("a b/c+d/(e)!*'.txt"), "a%20b/c%2Bd/%28e%29%21%2A%27.txt");
});
