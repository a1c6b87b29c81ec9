/**
 * The app's listening socket: one function that production (fresh.config.ts), the served-app tests and the
 * benchmarks all start their server with, so what is measured and tested is what runs.
 *
 * Two servers sit behind it. `deno` (the default) is Deno.serve: about three times the request rate, but in
 * Deno 2.9 it has no bound on slow or idle clients (a connection that never finishes its headers is held
 * forever). `node` (HTTP_SERVER=node) is Deno's node:http: it closes connections whose headers or request do
 * not finish, and idle keep-alive connections, within {@link CONNECTION_BOUNDS} (issue 9) — the choice when
 * no proxy in front of the app enforces such bounds.
 *
 * Both hand the app a standard `Request` (body streamed, never buffered here; `req.signal` aborts when the
 * client goes away) and `{ remoteAddr: { hostname, port } }`, and send the `Response` body as it is
 * produced, so event streams flow frame by frame.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Buffer } from "node:buffer";
import { setImmediate } from "node:timers";

/** Which HTTP server implementation serves the app. */
type HttpServerKind = "node" | "deno";

/** Bounds on how slowly a client may talk (node only: Deno.serve has no such options). */
export interface ConnectionBounds {
  /** From a connection's first byte (or its previous response) until the request's headers are complete. */
  headersMs: number;
  /**
   * Until the whole request (headers and body) has arrived. Only the request: a response may stream for as
   * long as it likes (an SSE stream lives for hours). The body reader's own deadline (lib/body.ts) is
   * shorter; this one also covers requests no handler reads.
   */
  requestMs: number;
  /** How long a keep-alive connection may sit idle between requests. */
  keepAliveMs: number;
  /** Largest request head (request line plus headers) accepted; past it the client gets 431. */
  maxHeaderBytes: number;
  /** How often connections are checked against `headersMs` and `requestMs` (the bound's granularity). */
  checkIntervalMs: number;
}

/** The production bounds (README "Limits"). */
const CONNECTION_BOUNDS: ConnectionBounds = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  checkIntervalMs: 1_000,
};

/** What the app's fetch receives besides the request (the subset of Deno.ServeHandlerInfo it reads). */
export interface ServeInfo {
  /** Read it while the request is being answered (Deno.serve's throws once the response is sent). */
  readonly remoteAddr: { transport: "tcp"; hostname: string; port: number };
}

/** A request handler, e.g. `(req, info) => app.fetch(req, info)`. */
export type ServeHandler = (req: Request, info: ServeInfo) => Response | Promise<Response>;

/** Where and how to listen. */
export interface ListenOptions {
  port: number;
  hostname: string;
  /** Default `deno`. */
  server?: HttpServerKind;
  /** Overrides of {@link CONNECTION_BOUNDS} (tests use small ones). */
  bounds?: Partial<ConnectionBounds>;
  onListen?: (addr: { hostname: string; port: number }) => void;
  /** Where a request that failed outside the app's own error path is reported (default console.error). */
  onError?: (message: string, error: unknown) => void;
}

/** A listening server. */
export interface Listener {
  readonly server: HttpServerKind;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /**
   * Stops accepting connections, closes idle ones, lets requests in flight finish for up to `graceMs`
   * (default 10 s), then closes what is left (open event streams never finish on their own).
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Settles once the server has stopped. */
  readonly finished: Promise<void>;
}

/** Starts serving `handler`; resolves once the socket listens. */
export function listen(options: ListenOptions, handler: ServeHandler): Promise<Listener> {
  return options.server === "node" ? listenNode(options, handler) : listenDeno(options, handler);
}

async function listenDeno(options: ListenOptions, handler: ServeHandler): Promise<Listener> {
  const server = Deno.serve({
    port: options.port,
    hostname: options.hostname,
    onListen: (addr) => options.onListen?.({ hostname: addr.hostname, port: addr.port }),
    onError: options.onError
      ? (error) => {
        options.onError!("request failed", error);
        return new Response("Internal Server Error", { status: 500 });
      }
      : undefined,
  }, (req, info) =>
    // Deno's own info, as it is: a TCP listener's `remoteAddr` has ServeInfo's shape, and copying it into an
    // object of ours cost every request (cached pages included) an allocation and an eager address lookup.
    handler(req, info as unknown as ServeInfo));
  await Promise.resolve();
  return {
    server: "deno",
    port: server.addr.port,
    finished: server.finished,
    async shutdown(graceMs = 10_000) {
      // Deno.serve waits for every response to finish, which an event stream never does.
      await Promise.race([server.shutdown(), new Promise((resolve) => setTimeout(resolve, graceMs))]);
    },
  };
}

async function listenNode(options: ListenOptions, handler: ServeHandler): Promise<Listener> {
  const bounds = { ...CONNECTION_BOUNDS, ...options.bounds };
  const inFlight = new Set<ServerResponse>();
  const report = options.onError ?? ((message, error) => console.error(`${message}:`, error));
  const server = createServer({
    headersTimeout: bounds.headersMs,
    requestTimeout: bounds.requestMs,
    keepAliveTimeout: bounds.keepAliveMs,
    connectionsCheckingInterval: bounds.checkIntervalMs,
    maxHeaderSize: bounds.maxHeaderBytes,
  }, (req, res) => {
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    serveOne(req, res, handler, report).catch((error) => {
      report("request failed while writing the response", error);
      res.destroy();
    });
  });
  // Set again as properties: the constructor options are not honoured for these by every Node version.
  server.headersTimeout = bounds.headersMs;
  server.requestTimeout = bounds.requestMs;
  server.keepAliveTimeout = bounds.keepAliveMs;
  const finished = new Promise<void>((resolve) => server.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  options.onListen?.({ hostname: options.hostname, port });
  return {
    server: "node",
    port,
    finished,
    async shutdown(graceMs = 10_000) {
      server.close();
      server.closeIdleConnections();
      const until = Date.now() + graceMs;
      while (inFlight.size && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
      server.closeAllConnections();
      await finished;
    },
  };
}

/** A Node request as a Web `Request`, its answer written back as it is produced. */
async function serveOne(
  req: IncomingMessage,
  res: ServerResponse,
  handler: ServeHandler,
  report: (message: string, error: unknown) => void,
): Promise<void> {
  const aborter = new AbortController();
  // The client went away before the whole answer was sent: the handler's `req.signal` says so.
  res.once("close", () => {
    if (!res.writableFinished) aborter.abort();
  });
  const request = toRequest(req, res, aborter.signal);
  if (!request) {
    res.writeHead(400, { "content-type": "text/plain", connection: "close" }).end("Bad Request");
    return;
  }
  const socket = req.socket;
  let response: Response;
  try {
    response = await handler(request, {
      remoteAddr: {
        transport: "tcp",
        hostname: unmapIPv4(socket.remoteAddress ?? ""),
        port: socket.remotePort ?? 0,
      },
    });
  } catch (error) {
    // As Deno.serve does: the error is logged, the client gets a bare 500.
    report("request failed", error);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
    return;
  }
  await writeResponse(req, res, response);
}

/** The Web request for `req`, or null when its target or Host cannot form a URL (answered 400). */
function toRequest(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Request | null {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const target = req.url ?? "/";
  // Concatenated, never resolved against a base: a target like `//evil.example/x` stays a path.
  const href = target.startsWith("/")
    ? `http://${req.headers.host || `${req.socket.localAddress}:${req.socket.localPort}`}${target}`
    : target;
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  try {
    return new Request(href, {
      method,
      headers,
      signal,
      body: hasBody ? requestBody(req, res) : undefined,
      // @ts-ignore: `duplex` is required by the standard for stream bodies but missing from Deno's types.
      duplex: "half",
    });
  } catch {
    return null;
  }
}

/**
 * The request body as a stream that reads from the socket only as fast as the app consumes it, so nothing
 * piles up here. When the app stops reading (413, 408) the connection is closed after the answer instead of
 * draining the rest of an unwanted upload.
 */
function requestBody(req: IncomingMessage, res: ServerResponse): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        if (!open) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        if (open) controller.close();
        open = false;
      });
      req.once("close", () => {
        // Closed before its end: the client went away mid-body (or the request bound cut it off).
        if (open) controller.error(new Error("The client closed the connection mid-body."));
        open = false;
      });
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      open = false;
      if (!req.complete) {
        if (!res.headersSent) res.setHeader("connection", "close");
        res.once("finish", () => req.socket.destroy());
      }
    },
  }, { highWaterMark: 1 });
}

const TICK = Symbol("tick");

/**
 * Writes `response` to `res`. What the body has ready at once (a page, a JSON answer) is sent in one piece
 * with its Content-Length; a body that is still being produced (an event stream) is sent chunk by chunk as
 * it comes, with the headers first, honouring the socket's back-pressure.
 */
async function writeResponse(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader("set-cookie", cookies);
  if (!response.body || req.method === "HEAD") {
    response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.once("close", () => void reader.cancel().catch(() => {}));
  const ready: Uint8Array[] = [];
  let readyBytes = 0;
  let next = reader.read();
  // Resolved after the pending microtasks: a body built from a string or bytes is read whole before it.
  const tick = new Promise<typeof TICK>((resolve) => setImmediate(() => resolve(TICK)));
  while (readyBytes < 64 * 1024) {
    const result = await Promise.race([next, tick]);
    if (result === TICK) break;
    if (result.done) return void res.end(ready.length === 1 ? ready[0] : Buffer.concat(ready));
    ready.push(result.value);
    readyBytes += result.value.byteLength;
    next = reader.read();
  }
  // A streamed answer: the client sees the headers now, not with the first event.
  if (!ready.length) res.flushHeaders();
  for (const chunk of ready) await write(res, chunk);
  while (!res.destroyed) {
    const { done, value } = await next;
    if (done) break;
    await write(res, value);
    next = reader.read();
  }
  res.end();
}

/** Writes one chunk, waiting for the socket to drain when its buffer is full. */
async function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  if (res.destroyed || res.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done).off("close", done);
      resolve();
    };
    res.once("drain", done).once("close", done);
  });
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) as `1.2.3.4`, as rate limits and logs key it. */
function unmapIPv4(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
