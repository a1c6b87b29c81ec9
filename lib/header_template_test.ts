import assert from "node:assert/strict";
import { HeaderTemplate, VIEWS_WORK } from "./header_template.ts";

/** What a Response built from a Headers object with `values` set over `fixed` carries: the reference. */
function reference(fixed: HeadersInit, values: readonly (readonly [string, string])[]): [string, string][] {
  const headers = new Headers(fixed);
  for (const [name, value] of values) headers.set(name, value);
  return [...new Response(null, { headers }).headers];
}

const fixed: [string, string][] = [
  ["Content-Type", "text/html; charset=utf-8"],
  ["X-Request-Id", "stored"],
  ["vary", "accept-encoding"],
  ["Link", "</a.js>; rel=modulepreload"],
  ["link", "</b.js>; rel=modulepreload"],
  ["content-security-policy", "default-src 'self'"],
];

Deno.test("header template: this Deno takes the fast way (a check at load; without it, answers are only slower)", () => {
  assert.ok(VIEWS_WORK, "Deno's Response no longer copies headers by their view: lib/header_template.ts");
});

Deno.test("header template: each response has exactly the headers a Headers object with the values set gives", () => {
  const template = new HeaderTemplate(fixed, ["x-request-id", "traceparent"]);
  const answers: [Response, [string, string][]][] = [];
  for (
    const values of [
      [["x-request-id", "a1"], ["traceparent", "00-aa-bb-00"]],
      [["x-request-id", "b2"], ["traceparent", "00-cc-dd-01"]],
      [["x-request-id", " padded "], ["traceparent", "t"]],
      [["x-request-id", ""], ["traceparent", "inner  spaces"]],
    ] as [string, string][][]
  ) {
    answers.push([new Response("body", { headers: template.with(values) }), reference(fixed, values)]);
  }
  // Checked after all were built: a later answer writes into the same template and must not reach an earlier one.
  for (const [res, expected] of answers) assert.deepEqual([...res.headers], expected);
  const none = new HeaderTemplate(fixed);
  assert.deepEqual([...new Response(null, { headers: none.with() }).headers], reference(fixed, []));
  assert.deepEqual(
    [...new Response(null, { status: 304, headers: none.with() }).headers],
    reference(fixed, []),
  );
});

Deno.test("header template: a value Headers would refuse is refused as before; fits() names the template's values", () => {
  const template = new HeaderTemplate(fixed, ["X-Request-Id"]);
  assert.throws(() => template.with([["x-request-id", "a\r\nset-cookie: x=1"]]), TypeError);
  assert.ok(template.fits([["x-request-id", "v"]]));
  assert.ok(!template.fits([["traceparent", "v"]]));
  assert.ok(!template.fits([]));
  assert.equal(
    new Response(null, { headers: template.with([["x-request-id", "ok"]]) }).headers.get("x-request-id"),
    "ok",
  );
});
