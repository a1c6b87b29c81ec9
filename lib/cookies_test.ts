import assert from "node:assert/strict";
import { getCookies, serializeCookie, withCookies } from "./cookies.ts";

Deno.test("cookies: parse, serialize, append to immutable responses", () => {
  const req = new Request("http://x/", {
    headers: { cookie: 'a=1; b="two%20words"; bad=%E0%A4%A; a=shadowed' },
  });
  assert.deepEqual(getCookies(req), { a: "1", b: "two words" });
  assert.equal(
    serializeCookie("pt_access", "v;1", { maxAgeSeconds: 900, secure: true }),
    "pt_access=v%3B1; Path=/; Max-Age=900; HttpOnly; Secure; SameSite=Lax",
  );
  const res = withCookies(Response.redirect("http://x/next", 303), ["a=1; Path=/", "b=2; Path=/"]);
  assert.equal(res.status, 303);
  assert.deepEqual(res.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/"]);
});
