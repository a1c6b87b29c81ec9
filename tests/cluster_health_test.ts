/**
 * The cluster's health wait (ops/cluster.ts) takes a process as healthy only when its own pid answers on its
 * port: a port another process already holds must not pass for a healthy child.
 */
import assert from "node:assert/strict";
import { waitHealthy } from "../ops/cluster.ts";
import { freePorts } from "./helpers/net.ts";

/** A stand-in for an app: answers /healthz with the given pid. */
function healthServer(port: number, pid: number) {
  return Deno.serve(
    { port, hostname: "127.0.0.1", onListen() {} },
    () => Response.json({ status: "ok", pid }),
  );
}

function sleeper(): Deno.ChildProcess {
  return new Deno.Command("sleep", { args: ["30"], stdout: "null", stderr: "null" }).spawn();
}

Deno.test("waitHealthy refuses a port answered by another process's pid", async () => {
  const [port] = freePorts(1);
  const child = sleeper();
  const server = healthServer(port, child.pid + 100_000);
  try {
    await assert.rejects(
      waitHealthy(`http://127.0.0.1:${port}/healthz`, child, 5_000, { direct: true }),
      /answered by pid \d+, not by our process/,
    );
  } finally {
    child.kill();
    await child.status;
    await server.shutdown();
  }
});

Deno.test("waitHealthy accepts the child's own pid, and any answer through a proxy", async () => {
  const [port] = freePorts(1);
  const child = sleeper();
  const server = healthServer(port, child.pid);
  try {
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, child, 5_000, { direct: true });
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, null, 5_000);
  } finally {
    child.kill();
    await child.status;
    await server.shutdown();
  }
});
