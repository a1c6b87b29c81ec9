/**
 * Where the logger's lines go: collected and written in one system call every {@link FLUSH_MS} or once
 * {@link FLUSH_BYTES} are waiting, instead of one call per line. A busy server writes an access line per
 * request; one `write` each was the largest cost of answering a cached page after the page itself.
 *
 * Nothing is lost on a normal end: every sink is flushed when the process exits (`Deno.exit`, the end of the
 * program, an uncaught error), and `flushLogSinks()` writes the lot at once (the server's shutdown calls it).
 * Warnings and errors are not held: they go out at once, after whatever info lines were waiting, so the order
 * a reader sees is the order they were logged in.
 */

/** How long a line may wait before it is written. */
export const FLUSH_MS = 20;
/** How much may wait before it is written at once. */
export const FLUSH_BYTES = 64 * 1024;

/** Something that takes bytes synchronously (`Deno.stdout`, an open file). */
export interface SyncWriter {
  writeSync(p: Uint8Array): number;
}

const encoder = new TextEncoder();
const open = new Set<BufferedLines>();

/** Lines for one writer, written in batches (see the module comment). */
export class BufferedLines {
  #lines: string[] = [];
  #bytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly writer: SyncWriter,
    readonly limits: { flushMs: number; flushBytes: number } = { flushMs: FLUSH_MS, flushBytes: FLUSH_BYTES },
  ) {
    listenForExit();
    open.add(this);
  }

  /** Queues `line` (without its newline); written within `flushMs`. */
  write(line: string): void {
    this.#lines.push(line);
    this.#bytes += line.length + 1;
    if (this.#bytes >= this.limits.flushBytes) this.flush();
    else if (this.#timer === undefined) {
      const timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.limits.flushMs);
      // A waiting line must not keep the process alive: exit flushes it anyway.
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Writes every waiting line now. */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (!this.#lines.length) return;
    const text = this.#lines.join("\n") + "\n";
    this.#lines = [];
    this.#bytes = 0;
    writeAll(this.writer, encoder.encode(text));
  }

  /** Flushes and stops flushing this sink at exit (a test's sink, say). */
  close(): void {
    this.flush();
    open.delete(this);
  }
}

/** Writes every sink's waiting lines now (before a planned exit, or a test reading the output). */
export function flushLogSinks(): void {
  for (const sink of open) sink.flush();
}

/** Writes `bytes` whole (a write may take only part), dropping them if the writer is gone (a closed pipe). */
function writeAll(writer: SyncWriter, bytes: Uint8Array): void {
  try {
    let at = 0;
    while (at < bytes.length) at += writer.writeSync(bytes.subarray(at));
  } catch {
    // Nowhere left to write to (stdout closed): like console.log, logging must not take the process down.
  }
}

let listening = false;

function listenForExit(): void {
  if (listening) return;
  listening = true;
  // `unload` ends every normal exit, `Deno.exit()` included; an uncaught error or rejection ends the process
  // right after its event, so the lines logged before it are written first (the default handling goes on).
  globalThis.addEventListener("unload", flushLogSinks);
  globalThis.addEventListener("error", flushLogSinks);
  globalThis.addEventListener("unhandledrejection", flushLogSinks);
}

let stdout: BufferedLines | undefined;

/**
 * The process's standard streams: `line` to stdout in batches, or, when `urgent` (a warning, an error), to
 * stderr at once, after the stdout lines that were waiting.
 */
export function writeStdLine(line: string, urgent: boolean): void {
  stdout ??= new BufferedLines(Deno.stdout);
  if (!urgent) return stdout.write(line);
  stdout.flush();
  writeAll(Deno.stderr, encoder.encode(line + "\n"));
}
