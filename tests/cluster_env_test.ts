/**
 * What `deno task cluster` hands each app process (ops/cluster_flags.ts → ops/cluster.ts `appProcessEnv`):
 * its own port on loopback, nginx as the trusted proxy — and the operator's public APP_URL, which must
 * survive: production requires it, and tokens, mails, canonical links and signed document URLs name it.
 */
import assert from "node:assert/strict";
import { appProcessEnv } from "../ops/cluster.ts";
import { clusterCliOptions } from "../ops/cluster_flags.ts";

const DB = { DATABASE_URL: "postgres://db/app", REDIS_URL: "redis://redis:6379" };

Deno.test("deno task cluster: the operator's APP_URL reaches every app process", () => {
  const options = clusterCliOptions([], { ...DB, APP_URL: "https://proptrade.example" }, "/srv/app");
  const env = appProcessEnv(options, 8101);
  assert.equal(env.APP_URL, "https://proptrade.example");
  assert.equal(env.PORT, "8101");
  assert.equal(env.BIND_HOST, "127.0.0.1");
  assert.equal(env.TRUSTED_PROXIES, "127.0.0.2");
});

Deno.test("deno task cluster: without APP_URL (or with an empty one) the apps are addressed at nginx", () => {
  for (const extra of [{}, { APP_URL: "" }]) {
    const options = clusterCliOptions(["--port=47310"], { ...DB, ...extra }, "/srv/app");
    // nginx's port, not the app's own (what the app's config would default to).
    assert.equal(appProcessEnv(options, 47311).APP_URL, "http://localhost:47310");
  }
});

Deno.test("startCluster: the proxy nginx binds to is trusted unless told otherwise", () => {
  assert.equal(
    appProcessEnv({ port: 8000, env: {}, proxyBind: "127.0.0.3" }, 8101).TRUSTED_PROXIES,
    "127.0.0.3",
  );
  assert.equal(
    appProcessEnv({ port: 8000, env: {}, proxyBind: "127.0.0.3", trustedProxies: "10.0.0.0/8" }, 8101)
      .TRUSTED_PROXIES,
    "10.0.0.0/8",
  );
});

Deno.test("deno task cluster: a bad flag is refused with a message naming it, before anything starts", () => {
  const cases: [string[], RegExp][] = [
    [["--processes=abc"], /--processes takes a whole number from 1 to 64, not "abc"/],
    [["--processes=0"], /--processes takes a whole number from 1 to 64, not "0"/],
    [["--processes="], /--processes takes a whole number from 1 to 64, not ""/],
    [["--processes=2.5"], /--processes takes a whole number from 1 to 64, not "2.5"/],
    [["--port=0"], /--port takes a port \(1–65535\), not "0"/],
    [["--port=eighty"], /--port takes a port \(1–65535\), not "eighty"/],
    [["--first-app-port=70000"], /--first-app-port takes a port \(1–65535\), not "70000"/],
    [["--procs=2"], /unknown flag --procs/],
    [["extra"], /unexpected argument "extra"/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => clusterCliOptions(args, DB, "/srv/app"), message, args.join(" "));
  }
});

Deno.test("deno task cluster: flags as documented", () => {
  const o = clusterCliOptions(
    ["--processes=2", "--port=47310", "--first-app-port=47311", "--proxy-bind=127.0.0.3"],
    { ...DB, DATA_DIR: "/var/lib/proptrade/" },
    "/srv/app",
  );
  assert.deepEqual(
    [o.processes, o.port, o.firstAppPort, o.proxyBind, o.runDir],
    [2, 47310, 47311, "127.0.0.3", "/var/lib/proptrade/cluster"],
  );
  const d = clusterCliOptions([], { ...DB, PORT: "9000" }, "/srv/app");
  assert.deepEqual([d.processes, d.port, d.firstAppPort, d.runDir], [3, 9000, 8101, "/srv/app/data/cluster"]);
});

Deno.test("deno task cluster: nginx listens on BIND_HOST when set, else on loopback only", () => {
  const host = (extra: Record<string, string>) => clusterCliOptions([], { ...DB, ...extra }, "/srv/app").host;
  assert.equal(host({}), "127.0.0.1");
  assert.equal(host({ BIND_HOST: "" }), "127.0.0.1");
  assert.equal(host({ BIND_HOST: "0.0.0.0" }), "0.0.0.0");
  assert.equal(host({ BIND_HOST: "10.0.0.5" }), "10.0.0.5");
});
