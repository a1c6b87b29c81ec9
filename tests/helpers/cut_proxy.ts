/**
 * A loopback TCP proxy in front of a server that can fake the server going away — every relayed connection
 * dropped at once, then connections refused for a while — without touching the server itself, which other
 * tests share (a real PostgreSQL restart is what this stands in for).
 */
export interface CutProxy {
  port: number;
  /** Relayed connections so far (each one the client opened and the proxy passed on). */
  accepted(): number;
  /** Closes both sides of every relayed connection now, as a server that dies does. */
  cut(): void;
  /**
   * Stops listening for `ms` (clients get ECONNREFUSED, as from a server that is down), then listens on the
   * same port again; resolves once it does.
   */
  refuse(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 (a free port) relaying to `target`.
 *
 * @example
 * const proxy = cutProxy({ hostname: "127.0.0.1", port: 5432 });
 * proxy.cut();
 * await proxy.refuse(1000);
 */
export function cutProxy(target: { hostname: string; port: number }): CutProxy {
  let listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const live = new Set<Deno.TcpConn>();
  const pipes = new Set<Promise<void>>();
  let accepted = 0;
  let closed = false;

  function accept(on: Deno.TcpListener): Promise<void> {
    return (async () => {
      for await (const client of on) {
        accepted++;
        const pipe = relay(client).catch(() => {}).finally(() => pipes.delete(pipe));
        pipes.add(pipe);
      }
    })().catch(() => {}); // the listener closed by refuse() or close()
  }
  let accepting = accept(listener);

  async function relay(client: Deno.TcpConn): Promise<void> {
    live.add(client);
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect(target);
    } catch {
      shut(client);
      return;
    }
    live.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // Either side ending ends both: a half-open relay would keep a connection the client thinks is gone.
    await Promise.race([
      client.readable.pipeTo(upstream.writable).catch(() => {}),
      upstream.readable.pipeTo(client.writable).catch(() => {}),
    ]);
    shut(client);
    shut(upstream);
  }

  function shut(conn: Deno.TcpConn): void {
    live.delete(conn);
    try {
      conn.close();
    } catch {
      // already closed (by cut(), or by its stream ending)
    }
  }

  return {
    port,
    accepted: () => accepted,
    cut() {
      for (const conn of [...live]) shut(conn);
    },
    async refuse(ms) {
      listener.close();
      await accepting;
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (closed) return;
      listener = Deno.listen({ hostname: "127.0.0.1", port });
      accepting = accept(listener);
    },
    async close() {
      closed = true;
      try {
        listener.close();
      } catch {
        // closed by a refuse() in progress
      }
      for (const conn of [...live]) shut(conn);
      await accepting;
      await Promise.all(pipes);
    },
  };
}
