import assert from "node:assert/strict";
import { clientIp, isAddressOrCidr, matcherOf } from "./client_ip.ts";

const req = (xff?: string) => new Request("http://x/", { headers: xff ? { "x-forwarded-for": xff } : {} });
const proxies = (...trustedProxies: string[]) => ({ trustProxy: false, trustedProxies });

Deno.test("TRUSTED_PROXIES: a peer that is not ours is taken at its address, whatever it forwards", () => {
  assert.equal(clientIp(req("6.6.6.6"), "127.0.0.1", proxies("127.0.0.2")), "127.0.0.1");
  assert.equal(clientIp(req("6.6.6.6"), "::ffff:127.0.0.1", proxies("127.0.0.2")), "127.0.0.1");
});

Deno.test("TRUSTED_PROXIES: from our proxy, the rightmost address that is not ours is the client", () => {
  // A client spoofing 6.6.6.6 through nginx: nginx appended the address it saw (203.0.113.9).
  assert.equal(clientIp(req("6.6.6.6, 203.0.113.9"), "127.0.0.2", proxies("127.0.0.2")), "203.0.113.9");
  // Two hops of ours (a CDN range in front of nginx).
  assert.equal(
    clientIp(req("6.6.6.6, 203.0.113.9, 10.1.2.3"), "127.0.0.2", proxies("127.0.0.2", "10.0.0.0/8")),
    "203.0.113.9",
  );
  // No header: the proxy itself.
  assert.equal(clientIp(req(), "127.0.0.2", proxies("127.0.0.2")), "127.0.0.2");
  // Every hop ours: the oldest.
  assert.equal(
    clientIp(req("10.0.0.5, 10.0.0.6"), "127.0.0.2", proxies("127.0.0.0/8", "10.0.0.0/8")),
    "10.0.0.5",
  );
});

Deno.test("TRUST_PROXY without TRUSTED_PROXIES keeps the last entry; neither ignores the header", () => {
  assert.equal(
    clientIp(req("1.1.1.1, 2.2.2.2"), "127.0.0.1", { trustProxy: true, trustedProxies: [] }),
    "2.2.2.2",
  );
  assert.equal(clientIp(req("1.1.1.1"), "127.0.0.1", { trustProxy: false, trustedProxies: [] }), "127.0.0.1");
});

Deno.test("CIDR matching for IPv4 and IPv6", () => {
  const ours = matcherOf(["172.28.0.0/16", "fd00::/8", "::1", "192.168.1.7"]);
  assert.equal(ours("172.28.200.1"), true);
  assert.equal(ours("172.29.0.1"), false);
  assert.equal(ours("fd12:3456::1"), true);
  assert.equal(ours("fe80::1"), false);
  assert.equal(ours("::1"), true);
  assert.equal(ours("0:0:0:0:0:0:0:1"), true);
  assert.equal(ours("192.168.1.7"), true);
  assert.equal(ours("192.168.1.8"), false);
  assert.equal(ours("not an ip"), false);
  assert.equal(ours("1.2.3.400"), false);
});

Deno.test("IPv4-mapped IPv6 peers and malformed entries", () => {
  const ours = matcherOf(["10.0.0.0/8"]);
  // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; it is the same address.
  assert.equal(ours("::ffff:10.1.2.3"), true);
  assert.equal(ours("::ffff:11.1.2.3"), false);
  for (const good of ["127.0.0.1", "10.0.0.0/8", "fd00::/8", "::1", " 172.28.0.0/16"]) {
    assert.equal(isAddressOrCidr(good), true, good);
  }
  for (
    const bad of ["1.2.3.400", "10.0.0.0/33", "fd00::/129", "1::2::3", "10.0.0.0/8/1", "10.0.0.0/", "host"]
  ) {
    assert.equal(isAddressOrCidr(bad), false, bad);
  }
});

Deno.test("an X-Forwarded-For entry that is not an address is never taken as the client", () => {
  const trust = { trustProxy: true, trustedProxies: [] };
  // A proxy that forwards whatever it was sent: the last entry is not an address, so the peer stands.
  assert.equal(clientIp(req("1.1.1.1, unknown"), "127.0.0.1", trust), "127.0.0.1");
  assert.equal(clientIp(req("<script>"), "127.0.0.1", trust), "127.0.0.1");
  // Walking past our own hops into text: the nearest hop we know stands (here our proxy 10.0.0.5).
  assert.equal(
    clientIp(req("x' or 1=1, 10.0.0.5"), "127.0.0.2", proxies("127.0.0.2", "10.0.0.0/8")),
    "10.0.0.5",
  );
  // An address with a port (some proxies append it) is not an address either.
  assert.equal(clientIp(req("203.0.113.9:4711"), "127.0.0.2", proxies("127.0.0.2")), "127.0.0.2");
});
