import assert from "node:assert/strict";
import net from "node:net";
import { openDb } from "./client.ts";
import { testEnv } from "../tests/helpers/env.ts";

/** Every socket that writes while `fn` runs: the pool's connections, whatever created them. */
async function withWritingSockets<T>(fn: (sockets: Set<net.Socket>) => Promise<T>): Promise<T> {
  const sockets = new Set<net.Socket>();
  const write = net.Socket.prototype.write;
  net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
    sockets.add(this);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof write;
  try {
    return await fn(sockets);
  } finally {
    net.Socket.prototype.write = write;
  }
}

const settledWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(r, ms, false))]);

// postgres.js 3.4.9 answered a socket's "drain" by handing the connection to the pool's waiting queries
// without looking whether a transaction had it reserved (porsager/postgres#1207, never merged). A drain that
// arrived after the server's answer, between two statements of a transaction, ran someone else's query inside
// that transaction, and a waiting transaction's BEGIN landed in it too (session 10's CI hang: "there is
// already a transaction in progress"). Version 4's drain only resumes that connection's own writes. The drain
// is emitted here by hand at exactly that moment; this fails on 3.4.9.
Deno.test("a socket drain between a transaction's statements does not hand its connection to the pool", async () => {
  await withWritingSockets(async (sockets) => {
    const db = testEnv.databaseUrl ? await openDb({ url: testEnv.databaseUrl, poolMax: 1 }) : await openDb();
    try {
      let reached!: () => void;
      const atGate = new Promise<void>((r) => reached = r);
      let open!: () => void;
      const gate = new Promise<void>((r) => open = r);
      const tx = db.tx(async (t) => {
        const [{ a }] = await t<{ a: string }[]>`select txid_current()::text as a`;
        reached();
        await gate;
        return a;
      });
      await atGate;
      // The pool's only connection is the transaction's: this must wait for it to end.
      const outside = db.sql<{ x: string | null }[]>`select txid_current_if_assigned()::text as x`;
      assert.ok([...sockets].some((s) => s.listenerCount("drain") > 0), "the driver listens for drain");
      for (const socket of sockets) socket.emit("drain");
      const ranInside = await settledWithin(outside, 200);
      open();
      await tx;
      const [{ x }] = await outside;
      assert.equal(ranInside, false, `a query outside the transaction ran inside it (txid ${x})`);
      assert.equal(x, null, "the outside query ran in no transaction");
    } finally {
      await db.close();
    }
  });
});
