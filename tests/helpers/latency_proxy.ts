/**
 * A TCP proxy that holds every chunk the server sends for `delayMs` before passing it on: each round trip
 * through it then costs at least `delayMs`, so the round trips of a path can be counted from its duration
 * (statements sent together in one pipeline share one delay).
 */
export interface LatencyProxy {
  port: number;
  close(): Promise<void>;
}

export function latencyProxy(target: { hostname: string; port: number }, delayMs: number): LatencyProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.TcpConn>();
  const pipes: Promise<unknown>[] = [];
  const accepting = (async () => {
    for await (const client of listener) {
      pipes.push(relay(client).catch(() => {}));
    }
  })().catch(() => {});

  async function relay(client: Deno.TcpConn): Promise<void> {
    conns.add(client);
    const upstream = await Deno.connect(target);
    conns.add(upstream);
    // No Nagle: a small write held for the peer's delayed ACK (~40 ms) would look like a round trip more.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const up = client.readable.pipeTo(upstream.writable).catch(() => {});
    const writer = client.writable.getWriter();
    let queue = Promise.resolve();
    try {
      for await (const chunk of upstream.readable) {
        const due = performance.now() + delayMs;
        queue = queue.then(async () => {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          await writer.write(chunk);
        });
      }
      await queue;
    } finally {
      await writer.close().catch(() => {});
      await up;
    }
  }

  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // already closed by its other side
        }
      }
      await accepting;
      await Promise.all(pipes);
    },
  };
}
