/**
 * A private, throw-away redis-server for tests that stop, restart or freeze Redis: the shared one on 6379
 * must never be touched.
 */
export const REDIS_SERVER = "/usr/bin/redis-server";

/** Starts redis-server on `port` (no persistence) and waits until it accepts connections (5 s at most). */
export async function startRedis(port: number, dir?: string): Promise<Deno.ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  if (dir) args.push("--dir", dir);
  const child = new Deno.Command(REDIS_SERVER, { args, stdout: "null", stderr: "null" }).spawn();
  const deadline = Date.now() + 5000;
  while (true) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return child;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await child.status;
        throw new Error(`redis-server did not start on port ${port}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export async function stopRedis(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
  await child.status;
}
