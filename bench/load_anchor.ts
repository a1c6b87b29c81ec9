/** The load bench's anchor (bench/load.ts): a bare Deno.serve on port `args[0]` answering the file `args[1]`. */
const [port, file] = Deno.args;
const body = await Deno.readFile(file);
Deno.serve(
  { port: Number(port), hostname: "127.0.0.1", onListen: () => {} },
  () => new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } }),
);
