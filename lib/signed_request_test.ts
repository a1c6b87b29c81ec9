import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Unauthorized } from "./errors.ts";
import { SIGNATURE_TOLERANCE_SECONDS, signBody, verifySignedBody } from "./signed_request.ts";

const SECRET = "s3cret-for-tests";
const BODY = '{"accountId":"x","events":[]}';
const NOW = new Date("2026-11-26T12:00:00Z");
const verify = (header: string | null, body = BODY) =>
  verifySignedBody(header, body, SECRET, { name: "X-Sig", now: NOW });

Deno.test("signBody is HMAC-SHA256(secret, t + '.' + body) in the `t=…,v1=…` header form", () => {
  const t = Math.floor(+NOW / 1000);
  const hex = createHmac("sha256", SECRET).update(`${t}.${BODY}`).digest("hex");
  assert.equal(signBody(SECRET, BODY, NOW), `t=${t},v1=${hex}`);
  verify(signBody(SECRET, BODY, NOW));
});

Deno.test("verifySignedBody accepts both tolerance edges and a rotated second v1; refuses everything else", () => {
  const edge = new Date(+NOW - SIGNATURE_TOLERANCE_SECONDS * 1000);
  verify(signBody(SECRET, BODY, edge));
  verify(signBody(SECRET, BODY, new Date(+NOW + SIGNATURE_TOLERANCE_SECONDS * 1000)));
  const t = Math.floor(+NOW / 1000);
  verify(`t=${t},v1=${"0".repeat(64)},v1=${signBody(SECRET, BODY, NOW).split("v1=")[1]}`);

  const refused: [string, string | null, RegExp][] = [
    ["no header", null, /missing X-Sig/],
    ["empty", "", /missing/],
    ["garbage", "garbage", /Malformed/],
    ["no t", `v1=${"a".repeat(64)}`, /Malformed/],
    ["no v1", `t=${t}`, /Malformed/],
    ["short mac", `t=${t},v1=abc`, /Malformed/],
    ["too old", signBody(SECRET, BODY, new Date(+edge - 1000)), /5 minutes/],
    [
      "too new",
      signBody(SECRET, BODY, new Date(+NOW + (SIGNATURE_TOLERANCE_SECONDS + 1) * 1000)),
      /5 minutes/,
    ],
    ["other secret", signBody("other", BODY, NOW), /does not match/],
    ["other body", signBody(SECRET, BODY + " ", NOW), /does not match/],
    [
      "t swapped after signing",
      signBody(SECRET, BODY, NOW).replace(`t=${t}`, `t=${t - 1}`),
      /does not match/,
    ],
  ];
  for (const [what, header, message] of refused) {
    assert.throws(() => verify(header), (e) => e instanceof Unauthorized && message.test(e.message), what);
  }
});
