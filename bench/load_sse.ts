/**
 * The load bench's event-stream subscriber (bench/load.ts): one raw TCP connection per stream through nginx,
 * read by hand (at 1,000 streams a fetch body each costs the client more than the server being measured). It
 * behaves as a browser's EventSource: when the stream drops (its process was killed) it reconnects through
 * nginx with `Last-Event-ID`, so the app replays what was missed. Requests are HTTP/1.0, so nginx passes the
 * body through as is (no chunked framing to undo).
 *
 * What it keeps for the gap check: the snapshot's id, every change id received, and each re-snapshot (a
 * resume the log could not serve: the new snapshot supersedes the versions before it).
 */
import { preciseNow } from "../tests/helpers/child_server.ts";

export interface StreamTarget {
  port: number;
  accountId: string;
  token: string;
  /** Sent as X-Forwarded-For: each stream from its own address (the per-address stream cap). */
  ip: string;
}

const FRAME = /(?:^|\n)id: (\d+)\nevent: (snapshot|change)\n/;

export class ResumingStream {
  /** The first snapshot's id (versions after it are expected, none before). */
  firstId: number | null = null;
  lastId: number | null = null;
  readonly changes: number[] = [];
  /** [lastId before, snapshot id] of each snapshot after a resume. */
  readonly resnapshots: [number, number][] = [];
  reconnects = 0;
  /** preciseNow() of each drop of a live stream. */
  readonly drops: number[] = [];
  failedConnects = 0;
  /** The head of the last refused answer (for the error when the stream never opens). */
  lastRefusal = "";
  #conn: Deno.Conn | null = null;
  #closed = false;

  constructor(
    readonly target: StreamTarget,
    readonly onChange: (accountId: string, version: number, at: number) => void,
  ) {}

  /** Connects; resolves once the first snapshot arrived (rejects if it does not within 30 s). */
  open(): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = setTimeout(() => {
      this.close();
      reject(new Error(`no snapshot for ${this.target.accountId}: ${this.lastRefusal}`));
    }, 30_000);
    void this.#loop(() => {
      clearTimeout(timer);
      resolve();
    });
    return promise;
  }

  close(): void {
    this.#closed = true;
    try {
      this.#conn?.close();
    } catch { /* closed */ }
  }

  async #loop(ready: () => void): Promise<void> {
    while (!this.#closed) {
      const live = await this.#once(ready).catch(() => false);
      if (this.#closed) return;
      if (live) {
        this.reconnects++;
        this.drops.push(preciseNow());
      } else this.failedConnects++;
      // EventSource waits `retry` (3 s) before reconnecting; a second keeps the bench's figures tighter.
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** One connection; resolves true if it got to the stream (200) before it ended. */
  async #once(ready: () => void): Promise<boolean> {
    const { port, accountId, token, ip } = this.target;
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    this.#conn = conn;
    const resume = this.lastId !== null ? `Last-Event-ID: ${this.lastId}\r\n` : "";
    await conn.write(new TextEncoder().encode(
      `GET /api/accounts/${accountId}/stream HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
        `X-Forwarded-For: ${ip}\r\nAccept: text/event-stream\r\n${resume}\r\n`,
    ));
    const decoder = new TextDecoder();
    const buf = new Uint8Array(16 * 1024);
    let text = "";
    let body = false;
    let ok = false;
    const resumedFrom = this.lastId;
    try {
      while (true) {
        let n: number | null;
        try {
          n = await conn.read(buf);
        } catch {
          n = null;
        }
        if (n === null) break;
        const at = preciseNow();
        text += decoder.decode(buf.subarray(0, n), { stream: true });
        if (!body) {
          const end = text.indexOf("\r\n\r\n");
          if (end < 0) continue;
          ok = text.startsWith("HTTP/1.1 200") || text.startsWith("HTTP/1.0 200");
          if (!ok) {
            this.lastRefusal = text.slice(0, 400);
            break;
          }
          body = true;
          text = text.slice(end + 4);
        }
        let cut: number;
        while ((cut = text.indexOf("\n\n")) >= 0) {
          const frame = text.slice(0, cut + 1);
          text = text.slice(cut + 2);
          const m = FRAME.exec(frame);
          if (!m) continue;
          const id = Number(m[1]);
          if (m[2] === "snapshot") {
            if (this.firstId === null) {
              this.firstId = id;
              ready();
            } else if (resumedFrom !== null) this.resnapshots.push([resumedFrom, id]);
          } else {
            this.changes.push(id);
            this.onChange(accountId, id, at);
          }
          this.lastId = id;
        }
      }
    } finally {
      try {
        conn.close();
      } catch { /* closed */ }
    }
    return ok;
  }
}

/**
 * Versions the stream should have seen but did not: every logged version of the account after the first
 * snapshot up to the last one received, less those received and those a re-snapshot superseded.
 */
export function missingVersions(stream: ResumingStream, logged: readonly number[]): number[] {
  if (stream.firstId === null || stream.lastId === null) return [];
  const got = new Set(stream.changes);
  const last = stream.lastId;
  return logged.filter((v) =>
    v > stream.firstId! && v <= last && !got.has(v) &&
    !stream.resnapshots.some(([from, to]) => v > from && v <= to)
  );
}
