/**
 * The app route behind the disk store's signed URLs (`/_objects/<key>?expires=…&sig=…`, mounted by the app).
 */
import { Forbidden, HttpError, NotFound } from "../../lib/errors.ts";
import { checkObjectSignature } from "./signing.ts";
import type { ObjectStore, StoredObject } from "./store.ts";

const noStore = { "cache-control": "private, no-store" };

function errorResponse(error: HttpError): Response {
  return Response.json(error.toJSON(), { status: error.status, headers: { ...noStore, ...error.headers } });
}

/**
 * Answers `GET /_objects/<key>?expires=…&sig=…` (mounted by the app): 403 for a bad or expired signature,
 * 404 when the object is gone, else the bytes with their content type.
 *
 * The file is served from the app's own origin, so an uploaded HTML or SVG document could otherwise run
 * script there: `nosniff` plus a sandboxing CSP keep it inert.
 */
export async function serveSignedObject(
  store: ObjectStore,
  secret: string,
  request: Request,
  now: Date = new Date(),
): Promise<Response> {
  const url = new URL(request.url);
  if (request.method !== "GET" && request.method !== "HEAD") {
    return errorResponse(
      new HttpError(405, "method_not_allowed", "Only GET and HEAD are allowed here.", undefined, {
        allow: "GET, HEAD",
      }),
    );
  }
  const marker = "/_objects/";
  const at = url.pathname.indexOf(marker);
  if (at === -1) return errorResponse(new NotFound());
  let key: string;
  try {
    key = url.pathname.slice(at + marker.length).split("/").map(decodeURIComponent).join("/");
  } catch {
    return errorResponse(new Forbidden("This download link is invalid."));
  }
  const check = await checkObjectSignature(
    secret,
    key,
    url.searchParams.get("expires") ?? "",
    url.searchParams.get("sig") ?? "",
    now,
  );
  if (check === "invalid") return errorResponse(new Forbidden("This download link is invalid."));
  if (check === "expired") {
    return errorResponse(new Forbidden("This download link has expired; request a new one."));
  }
  let object: StoredObject | null;
  try {
    object = await store.get(key);
  } catch (error) {
    if (error instanceof HttpError) return errorResponse(error);
    throw error;
  }
  if (!object) return errorResponse(new NotFound("This document no longer exists."));
  return new Response(request.method === "HEAD" ? null : object.body, {
    headers: {
      ...noStore,
      "content-type": object.contentType,
      "content-length": String(object.body.length),
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
    },
  });
}
