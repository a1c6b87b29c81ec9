/**
 * docker-compose.yml has the shape of `deno task cluster` (nginx + app replicas + PostgreSQL + Redis + an S3
 * server), and the nginx configuration it mounts is exactly what the one generator (ops/nginx.ts) writes.
 * The YAML is parsed by Python's PyYAML (Debian's python3-yaml, which .ci/run installs): no YAML parser is a
 * dependency of the app.
 */
import assert from "node:assert/strict";
import { COMPOSE_NGINX, renderNginxConfig } from "../ops/nginx.ts";
import { NGINX_CANDIDATES } from "../ops/cluster.ts";
import { hasBinary, skipUnless } from "./helpers/env.ts";

const ROOT = new URL("..", import.meta.url).pathname;

function hasPyYaml(): boolean {
  try {
    return new Deno.Command("python3", { args: ["-c", "import yaml"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: string | number };
  depends_on?: Record<string, { condition: string }>;
  networks?: { default?: { ipv4_address?: string } };
}

async function compose(): Promise<{ services: Record<string, Service> }> {
  const out = await new Deno.Command("python3", {
    args: [
      "-c",
      "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
      `${ROOT}docker-compose.yml`,
    ],
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const ignore = skipUnless(
  hasPyYaml(),
  "python3 with PyYAML (Debian's python3-yaml) is needed to parse docker-compose.yml",
);

Deno.test(
  { name: "docker-compose.yml: nginx in front of app replicas, with the generated config", ignore },
  async () => {
    const { services } = await compose();
    for (const name of ["nginx", "app", "postgres", "redis", "minio"]) {
      assert.ok(
        services[name],
        `service ${name}`,
      );
    }
    const { nginx, app } = services;

    const mount = nginx.volumes?.find((v) => v.endsWith(":/etc/nginx/nginx.conf:ro"));
    assert.ok(mount, "nginx mounts a configuration file");
    const mounted = await Deno.readTextFile(`${ROOT}${mount.split(":")[0].replace(/^\.\//, "")}`);
    assert.equal(
      mounted,
      renderNginxConfig(COMPOSE_NGINX),
      "regenerate: deno run -A ops/nginx.ts > ops/nginx/compose.conf",
    );
    assert.deepEqual(
      COMPOSE_NGINX.upstreams,
      [`app:${app.environment?.PORT}`],
      "nginx proxies to the app's port",
    );

    // Replicas, reachable only through nginx, trusting X-Forwarded-For from nginx's fixed address only.
    assert.ok(
      /^\$\{APP_REPLICAS:-[3-9]\}$|^[2-9]$/.test(String(app.deploy?.replicas)),
      `replicas ${app.deploy?.replicas}`,
    );
    assert.equal(app.ports, undefined, "app replicas publish no port of their own");
    assert.equal(app.environment?.TRUSTED_PROXIES, nginx.networks?.default?.ipv4_address);
    assert.equal(nginx.depends_on?.app?.condition, "service_healthy");
    for (const dep of ["postgres", "redis", "minio"]) {
      assert.equal(
        app.depends_on?.[dep]?.condition,
        "service_healthy",
      );
    }
    assert.match(app.environment?.DATABASE_URL ?? "", /^postgres:\/\/.*@postgres:5432\//);
    assert.equal(app.environment?.REDIS_URL, "redis://redis:6379");
    assert.equal(app.environment?.S3_ENDPOINT, "http://minio:9000");
  },
);

Deno.test({
  name: "the generated nginx configurations pass `nginx -t`",
  ignore: skipUnless(NGINX_CANDIDATES.some(hasBinary), "nginx is not installed (apt-get install nginx)"),
}, async () => {
  const nginx = NGINX_CANDIDATES.find(hasBinary)!;
  const dir = await Deno.makeTempDir({ prefix: "nginx_conf_test_" });
  try {
    // `nginx -t` parses, it does not bind: the ports only need to be valid.
    const configs = {
      // `app` resolves only inside compose: the same text with a local address.
      compose: renderNginxConfig({
        ...COMPOSE_NGINX,
        listen: "127.0.0.1:65000",
        upstreams: ["127.0.0.1:8000"],
        runDir: dir,
      }),
      cluster: renderNginxConfig({
        listen: "127.0.0.1:65001",
        upstreams: ["127.0.0.1:8101", "127.0.0.1:8102", "127.0.0.1:8103"],
        anchor: { listen: "127.0.0.1:65002", upstream: "127.0.0.1:8200" },
        runDir: dir,
        proxyBind: "127.0.0.2",
        errorLog: `${dir}/error.log`,
      }),
    };
    for (const [name, text] of Object.entries(configs)) {
      await Deno.writeTextFile(`${dir}/${name}.conf`, text);
      const out = await new Deno.Command(nginx, {
        args: [
          "-t",
          "-q",
          "-c",
          `${dir}/${name}.conf`,
          "-p",
          dir,
          "-e",
          `${dir}/error.log`,
          "-g",
          "daemon off;",
        ],
      }).output();
      assert.ok(out.success, `${name}: ${new TextDecoder().decode(out.stderr)}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
