/** A TCP port that was free a moment ago on 127.0.0.1 (for child servers that need a fixed port). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
