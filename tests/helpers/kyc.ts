/** KYC test fixtures: files that are (or only pretend to be) JPEG, PNG and PDF, and multipart uploads. */
import type { TestClient } from "./client.ts";

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG-signed file with a recognisable plaintext marker inside (to look for it in storage). */
export function pngBytes(marker = "PLAINTEXT-MARKER-PASSPORT-JANE-DOE"): Uint8Array<ArrayBuffer> {
  const text = new TextEncoder().encode(marker.repeat(50));
  const out = new Uint8Array(PNG_MAGIC.length + text.length);
  out.set(PNG_MAGIC);
  out.set(text, PNG_MAGIC.length);
  return out;
}

export function pdfBytes(): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode("%PDF-1.7\n% proof of address: 1 Main Street PLAINTEXT-MARKER\n%%EOF\n");
}

/** An HTML page dressed up as an image: name, declared type, everything but the bytes. */
export function htmlAsPng(): File {
  return new File(["<!doctype html><script>alert(1)</script>"], "passport.png", { type: "image/png" });
}

/** `POST /api/kyc/documents` with `kind` then `file`, as a browser form sends them. */
export async function uploadDocument(
  c: TestClient,
  bearer: string,
  kind: string,
  file: File,
): Promise<Response> {
  const form = new FormData();
  form.set("kind", kind);
  form.set("file", file);
  return await c.request("/api/kyc/documents", {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}` },
    body: form,
  });
}
