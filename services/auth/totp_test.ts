import assert from "node:assert/strict";
import { Secret, TOTP } from "otpauth";
import { jsQR } from "../../tests/deps/jsqr.ts";
import { matchTotp, newTotpSecret, qrCode, qrSvgDataUrl, totpCode, totpStep, totpUri } from "./totp.ts";

// RFC 6238 appendix B: the ASCII secret "12345678901234567890" (SHA-1) gives 94287082 at T = 59 s.
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/** The code an authenticator app would show, computed by otpauth itself (independent of our matcher). */
function appCode(secret: string, at: Date): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at.getTime() });
}

const NOW = new Date("2030-01-02T03:04:15Z");

Deno.test("codes follow the RFC 6238 test vector", () => {
  assert.equal(totpCode(RFC_SECRET, new Date(59_000)), "287082");
  assert.equal(matchTotp(RFC_SECRET, "287082", new Date(59_000), null), 1);
});

Deno.test("a new secret is 160 random bits in base32", () => {
  const a = newTotpSecret();
  assert.match(a, /^[A-Z2-7]{32}$/);
  assert.notEqual(a, newTotpSecret());
});

Deno.test("the URI carries issuer, account, secret and the fixed parameters", () => {
  const uri = new URL(totpUri("JBSWY3DPEHPK3PXP", "ana+2fa@example.com"));
  assert.equal(uri.protocol, "otpauth:");
  assert.equal(uri.host, "totp");
  assert.equal(decodeURIComponent(uri.pathname), "/PropTrade Pro:ana+2fa@example.com");
  assert.equal(uri.searchParams.get("issuer"), "PropTrade Pro");
  assert.equal(uri.searchParams.get("secret"), "JBSWY3DPEHPK3PXP");
  assert.equal(uri.searchParams.get("algorithm"), "SHA1");
  assert.equal(uri.searchParams.get("digits"), "6");
  assert.equal(uri.searchParams.get("period"), "30");
  assert.match(totpUri("JBSWY3DPEHPK3PXP", "a@b.c", "Other Co"), /issuer=Other%20Co/);
});

Deno.test("the current code matches and returns its step", () => {
  const secret = newTotpSecret();
  const code = appCode(secret, NOW);
  assert.equal(totpCode(secret, NOW), code);
  assert.equal(matchTotp(secret, code, NOW, null), totpStep(NOW));
  assert.equal(matchTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, NOW, null), totpStep(NOW));
});

Deno.test("one step of drift either way is accepted, two are not", () => {
  const secret = newTotpSecret();
  const step = totpStep(NOW);
  const at = (steps: number) => new Date(NOW.getTime() + steps * 30_000);
  assert.equal(matchTotp(secret, appCode(secret, at(-1)), NOW, null), step - 1);
  assert.equal(matchTotp(secret, appCode(secret, at(1)), NOW, null), step + 1);
  assert.equal(matchTotp(secret, appCode(secret, at(-2)), NOW, null), null);
  assert.equal(matchTotp(secret, appCode(secret, at(2)), NOW, null), null);
});

Deno.test("a step at or before the last used one is refused (no replay)", () => {
  const secret = newTotpSecret();
  const step = totpStep(NOW);
  const code = appCode(secret, NOW);
  assert.equal(matchTotp(secret, code, NOW, step), null);
  assert.equal(matchTotp(secret, code, NOW, step + 1), null);
  // An older code inside the window is spent once a newer one was used.
  assert.equal(matchTotp(secret, appCode(secret, new Date(NOW.getTime() - 30_000)), NOW, step), null);
  // The next step's code is still fine.
  assert.equal(matchTotp(secret, appCode(secret, new Date(NOW.getTime() + 30_000)), NOW, step), step + 1);
  assert.equal(matchTotp(secret, code, NOW, step - 1), step);
});

Deno.test("malformed or wrong codes do not match", () => {
  const secret = newTotpSecret();
  const code = appCode(secret, NOW);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
  for (const bad of ["", "12345", "1234567", "abcdef", `${code}0`, `0${code}`, code.replace(/\d$/, "x")]) {
    assert.equal(matchTotp(secret, bad, NOW, null), null, `matched ${JSON.stringify(bad)}`);
  }
  // `wrong` could only match by a one-in-a-million collision with a neighbouring step.
  const neighbours = [-1, 0, 1].map((d) => appCode(secret, new Date(NOW.getTime() + d * 30_000)));
  if (!neighbours.includes(wrong)) assert.equal(matchTotp(secret, wrong, NOW, null), null);
});

Deno.test("the QR code is an SVG data URL", () => {
  const url = qrSvgDataUrl(totpUri(newTotpSecret(), "ana@example.com"));
  assert.match(url, /^data:image\/svg\+xml;base64,[A-Za-z0-9+/]+=*$/);
  const svg = new TextDecoder().decode(Uint8Array.fromBase64(url.slice(url.indexOf(",") + 1)));
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(!/<script|style=/i.test(svg));
});

// What a phone's camera reads back must be the otpauth URI itself, secret and label included.
Deno.test("the QR code decodes to the otpauth URI", () => {
  const uri = totpUri(newTotpSecret(), "ana+2fa@example.com");
  const code = qrCode(uri);
  const pad = 4;
  const side = code.size + 2 * pad;
  const scale = 4;
  const width = side * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const mx = Math.floor(x / scale) - pad;
      const my = Math.floor(y / scale) - pad;
      if (code.get(mx, my)) pixels.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
    }
  }
  assert.equal(jsQR(pixels, width, width)?.data, uri);
  const svg = new TextDecoder().decode(Uint8Array.fromBase64(qrSvgDataUrl(uri).split(",")[1]));
  assert.ok(svg.includes(`viewBox="-2 -2 ${code.size + 4} ${code.size + 4}"`), "the SVG draws that code");
});
