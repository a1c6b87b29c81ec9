/**
 * The floor for a cached page: a bare `Deno.serve` answering with exactly the bytes and headers the app
 * sends for one page (`/`, `/challenges`: captured by bench/ssr.ts into the JSON file named by the second
 * argument), gzipped once. With a third argument `reads` it first reads what a page cache must read of the
 * request (see below): a second floor, printed beside the issue's.
 * The gap between this and the hello world is what Deno's HTTP layer charges for a real page; the gap
 * between this and the app is what the app's cached path costs.
 */
import { gzip } from "../lib/static_files.ts";

const [port, file, mode] = Deno.args;
const captured: { headers: [string, string][]; body: string } = JSON.parse(await Deno.readTextFile(file));
const body = await gzip(new TextEncoder().encode(captured.body)) as Uint8Array<ArrayBuffer>;
const headers = new Headers(captured.headers.filter(([name]) => name !== "content-length"));
headers.set("content-encoding", "gzip");
const listen = { port: Number(port), hostname: "127.0.0.1", onListen: () => console.log("ready") };
if (mode === "reads") {
  // What any correct page cache must read of a request before answering from memory: the method and URL (the
  // key), the credentials (a signed-in visitor must not get the shared page), Accept-Encoding (gzip or not)
  // and If-None-Match (304). Touching the headers at all sends Deno.serve down a slower path: this floor
  // shows how much of the gap to the plain replay is that, and not the app's own work.
  Deno.serve(listen, (req) => {
    const personal = req.headers.has("cookie") || req.headers.has("authorization");
    const fresh = req.headers.get("if-none-match") === "never";
    const gz = /\bgzip\b/.test(req.headers.get("accept-encoding") ?? "");
    if (req.method === "POST" || personal || fresh || !gz || !req.url) {
      return new Response(null, { status: 400 });
    }
    return new Response(body, { headers });
  });
} else {
  Deno.serve(listen, () => new Response(body, { headers }));
}
