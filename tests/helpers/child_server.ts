/**
 * A second Deno process driven over stdin/stdout, one JSON object per line — the app processes of the SSE
 * cluster test (tests/fixtures/stream_server.ts) and of the benchmarks (bench/engine_server.ts).
 *
 * Both sides live here so they cannot drift apart: `ChildServer.spawn` is the parent's handle,
 * `answerCommands` the child's loop. The child's replies carry the {@link REPLY_PREFIX}, so whatever else
 * it prints on stdout (a library's log line) is passed on to stderr instead of being read as a reply. The
 * first reply is `{"ready":true,"port":n,...}`; after it, each command line gets exactly one reply line,
 * `{"error":"..."}` when it failed. The child exits when its stdin closes, so it never outlives the parent.
 */

/** Marks the child's reply lines on stdout. */
export const REPLY_PREFIX = "@@ ";

const encoder = new TextEncoder();

/**
 * Epoch milliseconds with sub-millisecond precision, comparable across processes (and workers) on one
 * machine: `performance.now()` alone starts at each process's own origin.
 */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

/** How to start a child and how long to wait for it. */
export interface ChildServerOptions {
  /** Names the child in errors and in the stderr prefix of its stray output, e.g. `"stream server"`. */
  name: string;
  /** The module to run (`deno run -A [flags] <script>`), usually `new URL(import.meta.url)` of the caller. */
  script: URL;
  /** Added to the parent's environment. */
  env: Record<string, string>;
  /** Extra `deno run` flags, e.g. `--v8-flags=--expose-gc`. */
  flags?: string[];
  /** Until the ready line (a cold start migrates a database). */
  startTimeoutMs: number;
  /** Default wait for each command's reply; {@link ChildServer.command} may override it. */
  commandTimeoutMs: number;
  /** After stdin is closed, how long the child may take to exit before it is killed. */
  killAfterMs: number;
}

/**
 * The parent's handle on a spawned child.
 *
 * @example
 * ```ts
 * const server = await ChildServer.spawn({
 *   name: "stream server", script: new URL("./stream_server.ts", import.meta.url), env: {},
 *   startTimeoutMs: 120_000, commandTimeoutMs: 60_000, killAfterMs: 10_000,
 * });
 * const stats = await server.command({ cmd: "stats" });
 * await server.close();
 * ```
 */
export class ChildServer {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #replies: AsyncIterator<string>;
  readonly #options: ChildServerOptions;
  // Replies are matched to commands by order alone, so only one command may be in flight.
  #queue: Promise<unknown> = Promise.resolve();
  /** The port the child listens on, from its ready line. */
  port = 0;
  /** The child's process id (for CPU accounting). */
  readonly pid: number;
  /** The child's whole ready line (what it serves with: `db`, `bus`, `http`...). */
  info: Record<string, unknown> = {};

  private constructor(child: Deno.ChildProcess, options: ChildServerOptions) {
    this.#child = child;
    this.#options = options;
    this.#writer = child.stdin.getWriter();
    this.#replies = replies(child.stdout, options.name)[Symbol.asyncIterator]();
    this.pid = child.pid;
  }

  /** Starts the child; resolves once its ready line says it listens. */
  static async spawn(options: ChildServerOptions): Promise<ChildServer> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...(options.flags ?? []), options.script.pathname],
      env: options.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const server = new ChildServer(child, options);
    const first = await server.#next(options.startTimeoutMs);
    if (!first.ready) throw new Error(`${options.name} did not start: ${JSON.stringify(first)}`);
    server.port = Number(first.port);
    server.info = first;
    return server;
  }

  /** Sends one command and resolves with its reply; rejects with the child's `error` if it sent one. */
  command<T = Record<string, unknown>>(
    command: Record<string, unknown>,
    timeoutMs = this.#options.commandTimeoutMs,
  ): Promise<T> {
    const run = this.#queue.then(async () => {
      await this.#writer.write(encoder.encode(JSON.stringify(command) + "\n"));
      const answer = await this.#next(timeoutMs);
      if (answer.error) throw new Error(`${this.#options.name}: ${answer.error}`);
      return answer as T;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Closes stdin (the child exits) and waits for it; kills it if it hangs. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, this.#options.killAfterMs);
    try {
      await this.#child.status;
      await this.#replies.return?.();
    } finally {
      clearTimeout(timer);
    }
  }

  async #next(timeoutMs: number): Promise<Record<string, unknown>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.#options.name} silent for ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const { value, done } = await Promise.race([this.#replies.next(), timeout]);
      if (done) throw new Error(`${this.#options.name} exited`);
      return JSON.parse(value);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The child's side: writes `ready` (with `ready: true` added) as the first reply, then answers each command
 * read from stdin with `handle`'s result, or `{error}` when it throws. Resolves once stdin closes — the
 * parent is done or gone — so the caller shuts down after it.
 */
export async function answerCommands(
  ready: Record<string, unknown>,
  handle: (command: Record<string, unknown>) => Promise<unknown>,
): Promise<void> {
  const reply = (value: unknown) =>
    Deno.stdout.write(encoder.encode(REPLY_PREFIX + JSON.stringify(value) + "\n"));
  await reply({ ready: true, ...ready });
  for await (const line of lines(Deno.stdin.readable)) {
    try {
      await reply(await handle(JSON.parse(line)));
    } catch (error) {
      await reply({ error: String(error) });
    }
  }
}

/** Reply lines (prefix stripped); anything else the child prints goes to our stderr. */
async function* replies(stream: ReadableStream<Uint8Array>, name: string): AsyncGenerator<string> {
  for await (const line of lines(stream)) {
    if (line.startsWith(REPLY_PREFIX)) yield line.slice(REPLY_PREFIX.length);
    else console.error(`[${name}] ${line}`);
  }
}

/** The non-blank lines of a byte stream. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = pending.indexOf("\n")) !== -1) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.trim()) yield line;
    }
  }
}
