/**
 * The pub/sub bus: how the engine tells SSE endpoints (on any instance) that something changed.
 *
 * Delivery is best-effort and at-most-once, as Redis pub/sub is: a subscriber that is not connected when a
 * message is published never sees it. Consumers therefore treat a message as "re-read this", never as the
 * only copy of a fact; the database stays the source of truth.
 */
import { reportTo } from "../log.ts";

/** A message handler. It may be async; a throw or rejection is logged and never reaches other handlers. */
export type BusHandler = (message: unknown) => void | Promise<void>;

/** Ends one subscription. Idempotent. */
export type Unsubscribe = () => Promise<void>;

export interface Bus {
  /** Which adapter is behind this bus (shown by health checks). */
  readonly kind: "redis" | "memory";
  /**
   * Sends `message` (JSON-serialisable) to every current subscriber of `channel`, on every instance. Resolves
   * once the message is handed to the broker, not once it is handled. Rejects when the broker is unreachable.
   */
  publish(channel: string, message: unknown): Promise<void>;
  /**
   * `publish` of one message on several channels, in order, as one broker command (one encoding, one round
   * trip): what a writer that fans a change out to several audiences calls. Rejects as `publish` does.
   */
  publishAll(channels: readonly string[], message: unknown): Promise<void>;
  /**
   * Calls `handler` with a fresh copy (parsed JSON) of each message later published on `channel`. Resolves
   * once the subscription is active, so a publish that starts after it is seen.
   */
  subscribe(channel: string, handler: BusHandler): Promise<Unsubscribe>;
  /**
   * Calls `listener` each time the bus is connected again after losing its broker (never for the first
   * connection, never in-process). Messages published meanwhile are lost, so this is when consumers re-read
   * the state they follow. Returns a function that removes the listener.
   */
  onReconnect(listener: () => void): () => void;
  /** Rejects when the broker is unreachable. */
  ping(): Promise<void>;
  /** Stops delivery and releases connections. Idempotent. */
  close(): Promise<void>;
}

/** How the bus reports trouble it cannot throw to a caller (a failing handler, a dropped connection). */
export type BusLogger = (message: string, error?: unknown) => void;

export const defaultLogger: BusLogger = reportTo("bus");

/**
 * Rejects when `promise` has not settled within `ms`. For broker commands: a client library's own timeout
 * covers only the wait to be *sent*, and a server that accepts a command and never answers (hung, or a
 * network black hole) would otherwise hold the caller forever. A late reply is harmless.
 */
export async function replyWithin<T>(promise: Promise<T>, ms: number, what = "Redis"): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply from ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Serialises a message, refusing what JSON would silently drop or mangle into something else. */
export function encodeMessage(channel: string, message: unknown): string {
  assertChannel(channel);
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (error) {
    throw new TypeError(`Bus message on "${channel}" is not JSON-serialisable: ${error}`);
  }
  // JSON.stringify(undefined) and of a function return undefined rather than throwing.
  if (json === undefined) throw new TypeError(`Bus message on "${channel}" is not JSON-serialisable.`);
  return json;
}

export function assertChannel(channel: string): void {
  if (typeof channel !== "string" || channel.length === 0) {
    throw new TypeError("Bus channel must be a non-empty string.");
  }
}

/**
 * Runs every handler on one message, each isolated: a synchronous throw or a rejected promise is logged and
 * the next handler still runs. The set is copied first so a handler may unsubscribe itself while running.
 */
export function dispatch(
  channel: string,
  json: string,
  handlers: Iterable<BusHandler>,
  log: BusLogger,
): void {
  for (const handler of [...handlers]) {
    // Each handler gets its own parse so one cannot mutate what the next one sees.
    let message: unknown;
    try {
      message = JSON.parse(json);
    } catch (error) {
      log(`dropping malformed message on "${channel}"`, error);
      return;
    }
    try {
      const result = handler(message);
      if (result instanceof Promise) {
        result.catch((error) => log(`handler for "${channel}" rejected`, error));
      }
    } catch (error) {
      log(`handler for "${channel}" threw`, error);
    }
  }
}
