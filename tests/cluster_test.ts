/**
 * `deno task cluster` for real (ops/cluster.ts): three app processes behind nginx over one PostgreSQL database
 * and a private redis-server. Exactly one process runs each job of LEADER_JOBS; `kill -9` of that process
 * hands every job to another within a few seconds while nginx keeps answering; the venue's event stream
 * flows through nginx unbuffered (before and after the kill); the killed process is started again; X-Forwarded-For
 * is believed only from nginx.
 */
import assert from "node:assert/strict";
import { hasBinary, skipUnless, testEnv } from "./helpers/env.ts";
import { freePorts } from "./helpers/net.ts";
import { REDIS_SERVER, startRedis, stopRedis } from "./helpers/redis_server.ts";
import { createScratchDb } from "./helpers/scratch_db.ts";
import { NGINX_CANDIDATES, type RunningCluster, startCluster, waitHealthy } from "../ops/cluster.ts";
import { LEADER_JOBS } from "../services/cluster/leader_jobs.ts";

const ignore = skipUnless(
  !!testEnv.databaseUrl && !!testEnv.redisUrl && NGINX_CANDIDATES.some(hasBinary) &&
    hasBinary(REDIS_SERVER) &&
    hasBinary("/usr/bin/curl"),
  "the cluster test needs DATABASE_URL, REDIS_URL, nginx (apt-get install nginx), redis-server and curl",
);

const JOBS = LEADER_JOBS.map((j) => j.name);

/** job → indexes of the apps that report running it (from each live app's /metrics). */
async function leaders(cluster: RunningCluster, dead: Set<number>): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(JOBS.map((j) => [j, []]));
  for (const app of cluster.apps) {
    if (dead.has(app.index)) continue;
    const text = await fetch(`http://127.0.0.1:${app.port}/metrics`).then((r) => r.text());
    for (const m of text.matchAll(/^proptrade_leader_job\{job="([^"]+)"\} (\d+)/gm)) {
      if (m[2] === "1") out.get(m[1])?.push(app.index);
    }
  }
  return out;
}

/** Waits until one app (not in `dead`) runs every job and no other runs any; returns it and the wait. */
async function soleLeader(cluster: RunningCluster, dead: Set<number>, withinMs: number) {
  const started = performance.now();
  let last = new Map<string, number[]>();
  while (performance.now() - started < withinMs) {
    last = await leaders(cluster, dead);
    const holders = new Set([...last.values()].flat());
    if (holders.size === 1 && [...last.values()].every((h) => h.length === 1)) {
      return { index: [...holders][0], ms: performance.now() - started };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no single leader within ${withinMs} ms: ${JSON.stringify(Object.fromEntries(last))}`);
}

/** Reads `event: ticks` frames of the venue stream through nginx until `count` arrived; their arrival times. */
async function tickFrames(url: string, token: string, count: number, withinMs: number): Promise<number[]> {
  const res = await fetch(`${url}/api/venue/stream?symbols=EURUSD,GBPUSD`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(withinMs),
  });
  assert.equal(res.status, 200, await (res.status === 200 ? "" : res.text()));
  const times: number[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (times.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      for (const _ of text.matchAll(/event: ticks\n/g)) times.push(performance.now());
      text = text.slice(text.lastIndexOf("\n\n") + 1);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return times;
}

async function curl(args: string[]): Promise<string> {
  const out = await new Deno.Command("/usr/bin/curl", {
    args: ["-sS", "-o", "/dev/null", "-w", "%{http_code}", ...args],
  })
    .output();
  return new TextDecoder().decode(out.stdout);
}

const traceId = () => crypto.randomUUID().replaceAll("-", "");

Deno.test({ name: "cluster: three processes behind nginx, one leader, failover", ignore }, async (t) => {
  const db = await createScratchDb(testEnv.databaseUrl!, "cluster");
  // Distinct ports: two processes given one port would both answer as "app1" and "app3" through it.
  const [redisPort, nginxPort, ...appPorts] = freePorts(5);
  const redis = await startRedis(redisPort);
  const dataDir = await Deno.makeTempDir({ prefix: "cluster_test_" });
  const lines: string[] = [];
  let cluster: RunningCluster | undefined;
  try {
    cluster = await startCluster({
      processes: 3,
      port: nginxPort,
      firstAppPort: 0,
      appPorts,
      runDir: `${dataDir}/cluster`,
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        DATA_DIR: dataDir,
        APP_ENV: "development",
        ACCESS_LOG: "true",
        LOG_LEVEL: "info",
      },
      log: (line) => lines.push(line),
      superviseApps: true,
    });
    const { url } = cluster;
    const dead = new Set<number>();

    const first = await t.step("exactly one process runs every leader job", async () => {
      const { index } = await soleLeader(cluster!, dead, 15_000);
      // …and stays the only one.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await soleLeader(cluster!, dead, 1000)).index, index);
    });
    assert.ok(first);

    const [, email, password] = lines.join("\n").match(/trader\s+(\S+@\S+)\s+(\S+)/) ?? [];
    assert.ok(email, "the demo trader's password is printed by the first process");
    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(login.status, 200, await login.clone().text());
    const { accessToken } = await login.json();

    await t.step("the venue's event stream flows through nginx, frame by frame", async () => {
      const times = await tickFrames(url, accessToken, 4, 10_000);
      assert.equal(times.length, 4);
      // Unbuffered: frames arrive spread out as they are made (4 a second), not in one burst at the end.
      assert.ok(times[3] - times[1] > 150, `frames arrived together: ${times.map((x) => x - times[0])}`);
    });

    await t.step("X-Forwarded-For is read from nginx only", async () => {
      const viaNginx = traceId();
      // A client on 127.0.0.3 that claims to be 6.6.6.6: nginx appends 127.0.0.3, the app believes nginx.
      assert.equal(
        await curl([
          "--interface",
          "127.0.0.3",
          "-H",
          "X-Forwarded-For: 6.6.6.6",
          "-H",
          `traceparent: 00-${viaNginx}-0000000000000001-01`,
          `${url}/faq`,
        ]),
        "200",
      );
      const direct = traceId();
      // The same claim sent to an app process directly is ignored: the peer is not a trusted proxy.
      assert.equal(
        await curl([
          "-H",
          "X-Forwarded-For: 6.6.6.6",
          "-H",
          `traceparent: 00-${direct}-0000000000000001-01`,
          `http://127.0.0.1:${cluster!.apps[1].port}/faq`,
        ]),
        "200",
      );
      const ipOf = async (id: string) => {
        for (let i = 0; i < 50; i++) {
          const line = lines.find((l) => l.includes(`requestId=${id}`) || l.includes(`"requestId":"${id}"`));
          const ip = line?.match(/ip=([^\s"]+)|"ip":"([^"]+)"/);
          if (ip) return ip[1] ?? ip[2];
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`no access log line for ${id}`);
      };
      assert.equal(await ipOf(viaNginx), "127.0.0.3");
      assert.equal(await ipOf(direct), "127.0.0.1");
    });

    await t.step(
      "kill -9 of the leader: another takes every job within seconds, nginx routes around",
      async () => {
        const { index } = await soleLeader(cluster!, dead, 5000);
        const leader = cluster!.apps.find((a) => a.index === index)!;
        leader.child.kill("SIGKILL");
        await leader.child.status;
        dead.add(index);
        const statuses = await Promise.all(
          Array.from(
            { length: 30 },
            () => fetch(`${url}/faq`).then(async (r) => (await r.body?.cancel(), r.status)),
          ),
        );
        assert.deepEqual(
          statuses.filter((s) => s !== 200),
          [],
          "GETs through nginx fail over to live processes",
        );
        const next = await soleLeader(cluster!, dead, 5000);
        assert.notEqual(next.index, index);
        console.log(`new leader: app${next.index} after ${next.ms.toFixed(0)} ms`);
        // The price feed's own leader may have been the killed one: ticks flow again through nginx.
        const times = await tickFrames(url, accessToken, 3, 10_000);
        assert.equal(times.length, 3);
      },
    );

    await t.step(
      "the killed process is started again on its port and takes no job from the leader",
      async () => {
        const [index] = dead;
        const app = cluster!.apps.find((a) => a.index === index)!;
        const deadline = Date.now() + 60_000;
        while (app.restarts === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        assert.equal(app.restarts, 1, "the supervisor started it again");
        await waitHealthy(`http://127.0.0.1:${app.port}/healthz`, app.child, 60_000, { direct: true });
        dead.delete(index);
        assert.ok(lines.some((l) => l.includes(`[cluster] restarting app${index} in 1 s`)));
        // Still one process runs every job: the one that took over, not the newcomer.
        const { index: leader } = await soleLeader(cluster!, dead, 5000);
        assert.notEqual(leader, index);
        const res = await fetch(`http://127.0.0.1:${app.port}/faq`);
        assert.equal(res.status, 200);
        await res.body?.cancel();
      },
    );
  } finally {
    await cluster?.stop();
    await stopRedis(redis);
    await db.drop().catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
