import assert from "node:assert/strict";
import { admitBody, DEFAULT_BODY_LIMIT, readBody, readText, routeBodyLimit } from "./body.ts";
import { HttpError } from "./errors.ts";

/** A POST whose body is `source`'s stream (no Content-Length, as a chunked upload). */
function streamed(source: UnderlyingDefaultSource<Uint8Array>, headers: HeadersInit = {}): Request {
  return new Request("http://test/", {
    method: "POST",
    headers,
    body: new ReadableStream(source),
    duplex: "half",
  } as RequestInit);
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, `not an HttpError: ${error}`);
    return error;
  }
  throw new Error("expected a rejection");
}

Deno.test("a body of exactly the limit is read; one byte more is 413", async () => {
  const body = "x".repeat(100);
  assert.equal(await readText(new Request("http://t/", { method: "POST", body }), { limit: 100 }), body);
  const error = await rejection(
    readBody(new Request("http://t/", { method: "POST", body: body + "y" }), { limit: 100 }),
  );
  assert.equal(error.status, 413);
  assert.equal(error.code, "payload_too_large");
});

Deno.test("a slow-dribbling client is cut off with 408 and its stream cancelled", async () => {
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const req = streamed({
    // One byte, then nothing: the body never completes.
    start(controller) {
      controller.enqueue(new Uint8Array([0x7b]));
    },
    pull: () => new Promise((resolve) => (timer = setTimeout(resolve, 5_000))),
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  });
  const started = performance.now();
  const error = await rejection(readBody(req, { timeoutMs: 50 }));
  assert.equal(error.status, 408);
  assert.equal(error.code, "request_timeout");
  assert.ok(performance.now() - started < 1_000);
  assert.ok(cancelled, "the stream was not cancelled");
  clearTimeout(timer);
});

Deno.test("a body the client cut short is a 400, not a 500", async () => {
  const req = streamed({
    pull(controller) {
      controller.error(new Error("connection reset"));
    },
  });
  const error = await rejection(readBody(req));
  assert.equal(error.status, 400);
});

Deno.test("the limit the framework admitted a request under is the one readBody applies", async () => {
  const big = new Request("http://t/", { method: "POST", body: "x".repeat(DEFAULT_BODY_LIMIT + 1) });
  admitBody(big, DEFAULT_BODY_LIMIT * 2);
  assert.equal((await readBody(big)).byteLength, DEFAULT_BODY_LIMIT + 1);

  const declared = new Request("http://t/", {
    method: "POST",
    headers: { "content-length": "101" },
    body: "",
  });
  assert.equal((await rejection(Promise.resolve().then(() => admitBody(declared, 100)))).status, 413);
});

Deno.test("a route's limit comes from its API operation, else its page config, else the default", () => {
  const api = { api: { POST: { bodyLimit: 1_000 } }, config: { bodyLimit: 2_000 } };
  assert.equal(routeBodyLimit(api, "POST"), 1_000);
  assert.equal(routeBodyLimit(api, "PUT"), 2_000);
  assert.equal(routeBodyLimit({}, "POST"), DEFAULT_BODY_LIMIT);
});
