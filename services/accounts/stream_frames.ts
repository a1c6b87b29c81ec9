/**
 * The bytes of an account stream: Server-Sent-Event frames. A change is encoded once and the same bytes go
 * to every stream of its account.
 */
import { previousOf } from "./change_log.ts";

/** One encoded SSE event carrying the change that moved an account to `version`. */
export interface Frame {
  readonly version: number;
  /** The version the change started from (`version - 1` for changes logged without it). */
  readonly previous: number;
  readonly bytes: Uint8Array;
}

const encoder = new TextEncoder();

/** Encodes one SSE event. `data` must be a single line (JSON.stringify output is). */
export function encodeEvent(event: string, id: number, data: string): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${data}\n\n`);
}

/** The `change` frame of a logged or published change (`previousVersion` as it carries it, if at all). */
export function changeFrame(version: number, previousVersion: unknown, change: unknown): Frame {
  return {
    version,
    previous: previousOf(version, previousVersion),
    bytes: encodeEvent("change", version, JSON.stringify(change)),
  };
}

/** The heartbeat comment, shared by every stream. */
export const HEARTBEAT: Uint8Array = encoder.encode(": hb\n\n");

/**
 * The last frame of a stream whose session ended (sign-out elsewhere, revocation, suspension, role change):
 * a browser must not reconnect, and the page knows to send its user to sign in again. No `id`, so it does
 * not move the client's resume point.
 */
export const SESSION_ENDED: Uint8Array = encoder.encode(`event: ended\ndata: {"reason":"session_ended"}\n\n`);
