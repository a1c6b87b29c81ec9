/**
 * The floor for a cached page: a bare `Deno.serve` answering with exactly the bytes and headers the app
 * sends for one page (`/`, `/challenges`: captured by bench/ssr.ts into the JSON file named by the second
 * argument), gzipped once.
 * The gap between this and the hello world is what Deno's HTTP layer charges for a real page; the gap
 * between this and the app is what the app's cached path costs.
 */
import { gzip } from "../lib/static_files.ts";

const [port, file] = Deno.args;
const captured: { headers: [string, string][]; body: string } = JSON.parse(await Deno.readTextFile(file));
const body = await gzip(new TextEncoder().encode(captured.body)) as Uint8Array<ArrayBuffer>;
const headers = new Headers(captured.headers.filter(([name]) => name !== "content-length"));
headers.set("content-encoding", "gzip");
Deno.serve(
  { port: Number(port), hostname: "127.0.0.1", onListen: () => console.log("ready") },
  () => new Response(body, { headers }),
);
