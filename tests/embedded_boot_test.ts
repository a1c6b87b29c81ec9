import assert from "node:assert/strict";
import { freePort } from "./helpers/net.ts";

/** Environment of a newcomer's machine: nothing configured, so every embedded default is used. */
function bareEnv(dataDir: string, port: number): Record<string, string> {
  const keep = ["PATH", "HOME", "DENO_DIR", "TMPDIR", "LANG"];
  const env: Record<string, string> = { DATA_DIR: dataDir, PORT: String(port), NO_COLOR: "1" };
  for (const name of keep) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

Deno.test({
  name:
    "embedded boot: `deno task start` with no configuration serves / and /challenges with the seeded plans",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "proptrade-boot-" });
    const port = freePort();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "start"],
      cwd: new URL("..", import.meta.url).pathname,
      env: bareEnv(dataDir, port),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output: string[] = [];
    const decoder = new TextDecoder();
    const collect = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) output.push(decoder.decode(chunk));
    };
    const collecting = Promise.all([collect(child.stdout), collect(child.stderr)]);
    const base = `http://127.0.0.1:${port}`;
    try {
      const started = Date.now();
      let ready = false;
      while (!ready && Date.now() - started < 120_000) {
        await new Promise((r) => setTimeout(r, 500));
        ready = await fetch(`${base}/readyz`).then(async (r) => (await r.body?.cancel(), r.ok), () => false);
      }
      assert.ok(ready, `not ready within 120 s:\n${output.join("")}`);

      const ready_ = await (await fetch(`${base}/readyz`)).json();
      assert.deepEqual(ready_.mode, { db: "embedded", bus: "memory", storage: "disk" });
      const home = await fetch(`${base}/`);
      assert.equal(home.status, 200);
      assert.doesNotMatch(await home.text(), /<script/);
      const challenges = await fetch(`${base}/challenges`);
      assert.equal(challenges.status, 200);
      const html = await challenges.text();
      assert.match(html, /Two-Step — full comparison/);
      assert.match(html, /One-Step — full comparison/);
      assert.match(output.join(""), /trader@demo\.proptrade\.test/); // credentials printed on first start
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await collecting;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
