/** A TCP port that was free a moment ago on 127.0.0.1 (for child servers that need a fixed port). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * `n` distinct TCP ports that were free a moment ago: all are held until every one is chosen, because the
 * kernel may hand a just-closed port out again (two `freePort()` calls can return the same port).
 */
export function freePorts(n: number): number[] {
  const listeners = Array.from({ length: n }, () => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}
