/**
 * Test and benchmark support for account streams: commits a change the way the sync path does (account row
 * moved to a new version, the change logged in the same transaction, published after commit), without the
 * engine. Not used by the app.
 */
import type { Db } from "../../db/client.ts";
import type { Bus } from "../bus/mod.ts";
import { type AccountChange, publishChange, recordChange } from "./change_log.ts";
import { loadSummary } from "./summary.ts";

export interface ProduceOptions {
  /** How far the version moves (a sync batch of n events moves it by n). Default 1. */
  step?: number;
  /** The new equity (default: unchanged). */
  equity?: string;
  /** Publish after commit (default true); false simulates a message the bus lost. */
  publish?: boolean;
}

/** Commits one change of `accountId` and (unless told otherwise) publishes it; returns it. */
export async function produceChange(
  db: Db,
  bus: Bus,
  accountId: string,
  options: ProduceOptions = {},
): Promise<AccountChange> {
  const change = await db.tx(async (tx) => {
    const step = options.step ?? 1;
    const [row] = await tx<{ state_version: number }[]>`
      update accounts
      set state_version = state_version + ${step},
          equity = coalesce(${options.equity ?? null}::numeric, equity),
          updated_at = now()
      where id = ${accountId}
      returning state_version`;
    if (!row) throw new Error(`no account ${accountId}`);
    const change: AccountChange = {
      accountId,
      stateVersion: row.state_version,
      previousVersion: row.state_version - step,
      kind: "sync",
      at: new Date().toISOString(),
      account: (await loadSummary(tx, accountId))!,
      verdicts: [],
    };
    await recordChange(tx, change);
    return change;
  });
  if (options.publish ?? true) await publishChange(bus, change);
  return change;
}

/** One block of an event stream, as written (comments included, so heartbeats can be seen). */
interface SseBlock {
  event?: string;
  id?: string;
  data?: string;
  retry?: number;
  comments: string[];
}

/**
 * Reads an event stream block by block, with a deadline per read so a missing frame fails a test
 * instead of hanging it. `cancel()` is what a disconnecting client does.
 */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** The next block; rejects after `timeoutMs` or when the stream ends. */
  async next(timeoutMs = 5000): Promise<SseBlock> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no SSE block within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      while (true) {
        const end = this.#buffer.indexOf("\n\n");
        if (end !== -1) {
          const text = this.#buffer.slice(0, end);
          this.#buffer = this.#buffer.slice(end + 2);
          return parseBlock(text);
        }
        const { value, done } = await Promise.race([this.#reader.read(), deadline]);
        if (done) throw new Error("the stream ended");
        this.#buffer += this.#decoder.decode(value, { stream: true });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next block that is an event (not a comment or a bare `retry:`). */
  async nextEvent(timeoutMs = 5000): Promise<SseBlock & { event: string; id: string; data: string }> {
    const until = Date.now() + timeoutMs;
    while (true) {
      const block = await this.next(Math.max(1, until - Date.now()));
      if (block.event !== undefined && block.data !== undefined && block.id !== undefined) {
        return block as SseBlock & { event: string; id: string; data: string };
      }
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

function parseBlock(text: string): SseBlock {
  const block: SseBlock = { comments: [] };
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) block.comments.push(line.slice(1).trim());
    else {
      const at = line.indexOf(":");
      const field = at === -1 ? line : line.slice(0, at);
      const value = at === -1 ? "" : line.slice(at + 1).replace(/^ /, "");
      if (field === "event" || field === "id") block[field] = value;
      else if (field === "data") block.data = block.data === undefined ? value : `${block.data}\n${value}`;
      else if (field === "retry") block.retry = Number(value);
    }
  }
  return block;
}
