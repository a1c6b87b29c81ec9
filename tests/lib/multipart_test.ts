import assert from "node:assert/strict";
import { boundaryOf, multipartParts, partText } from "../../lib/multipart.ts";
import { streamBody } from "../../lib/body.ts";
import { HttpError } from "../../lib/errors.ts";

/** A browser-shaped multipart request, its body re-cut into chunks of `size` bytes (boundaries straddled). */
async function formRequest(
  form: FormData,
  size: number,
): Promise<{ body: ReadableStream<Uint8Array>; type: string }> {
  const request = new Request("http://x/", { method: "POST", body: form });
  const bytes = new Uint8Array(await request.arrayBuffer());
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (offset >= bytes.length) return c.close();
      c.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
  return { body, type: request.headers.get("content-type")! };
}

Deno.test("multipart: fields and files come out intact whatever the chunking", async () => {
  const file = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
  // Bytes that look like the start of a boundary must pass through as data.
  file.set(new TextEncoder().encode("\r\n--"), 500);
  for (const size of [3, 64, 4096, 1 << 20]) {
    const form = new FormData();
    form.set("kind", "identity_front");
    form.set("file", new File([file], "passport.png", { type: "image/png" }));
    form.set("after", "x");
    const { body, type } = await formRequest(form, size);
    const seen: Record<string, unknown> = {};
    for await (const part of multipartParts(body, boundaryOf(type))) {
      if (part.filename === null) seen[part.name] = await partText(part, 100);
      else {
        seen.filename = part.filename;
        seen.contentType = part.contentType;
        seen.file = new Uint8Array(await new Response(part.body).arrayBuffer());
      }
    }
    assert.equal(seen.kind, "identity_front", `chunk ${size}`);
    assert.equal(seen.after, "x");
    assert.equal(seen.filename, "passport.png");
    assert.equal(seen.contentType, "image/png");
    assert.deepEqual(seen.file, file, `chunk ${size}`);
  }
});

Deno.test("multipart: an unread part is skipped; a truncated body and a wrong type are refused", async () => {
  const form = new FormData();
  form.set("file", new File(["skip me"], "a.txt"));
  form.set("kind", "proof_of_address");
  const { body, type } = await formRequest(form, 5);
  const names: string[] = [];
  for await (const part of multipartParts(body, boundaryOf(type))) {
    names.push(part.name);
    if (part.name === "kind") assert.equal(await partText(part, 100), "proof_of_address");
  }
  assert.deepEqual(names, ["file", "kind"]);

  const cut = await formRequest(form, 1 << 20);
  const bytes = new Uint8Array(await new Response(cut.body).arrayBuffer()).subarray(0, 150);
  await assert.rejects(async () => {
    for await (const part of multipartParts(new Blob([bytes]).stream(), boundaryOf(cut.type))) {
      await new Response(part.body).arrayBuffer();
    }
  }, (e: unknown) => e instanceof HttpError && e.status === 400);
  assert.throws(
    () => boundaryOf("application/json"),
    (e: unknown) => e instanceof HttpError && e.status === 415,
  );
  assert.equal(boundaryOf('multipart/form-data; boundary="abc def"'), "abc def");
});

Deno.test("streamBody: counts while streaming and stops past the limit with 413", async () => {
  const chunk = new Uint8Array(1000);
  let sent = 0;
  const req = new Request("http://x/", {
    method: "POST",
    body: new ReadableStream({ pull: (c) => void (sent++ < 100 ? c.enqueue(chunk) : c.close()) }),
  });
  await assert.rejects(
    () => new Response(streamBody(req, { limit: 10_500 })).arrayBuffer(),
    (e: unknown) => e instanceof HttpError && e.status === 413,
  );
  assert.ok(sent < 20, `stopped reading early (read ${sent} chunks)`);
});
