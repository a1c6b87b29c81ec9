/** The baseline: a bare Deno.serve hello world on the port given as the first argument. */
const port = Number(Deno.args[0]);
Deno.serve(
  { port, hostname: "127.0.0.1", onListen: () => console.log("ready") },
  () => new Response("Hello, world"),
);
