/**
 * Who is calling, from where. `X-Forwarded-For` is client-supplied except for what our own proxies appended,
 * so it is read only when the peer is a proxy of ours:
 *
 * - TRUSTED_PROXIES set (addresses or CIDRs): a request whose peer is not in the list is taken at its socket
 *   address, whatever it sends; from a listed peer the header is walked from the right, skipping our proxies,
 *   and the first address that is not ours is the client (nginx appends the address it saw).
 * - otherwise TRUST_PROXY=true: any peer is taken to be our proxy and the header's last entry is the client
 *   (single-proxy deployments, and the benches that speak from many addresses over loopback).
 */

/** What `clientIp` needs of the configuration. */
export interface ProxyTrust {
  readonly trustProxy: boolean;
  readonly trustedProxies: readonly string[];
}

export function clientIp(req: Request, remoteAddr: string | undefined, trust: ProxyTrust): string | null {
  const peer = remoteAddr === undefined ? null : normalize(remoteAddr);
  if (trust.trustedProxies.length) {
    const ours = matcherOf(trust.trustedProxies);
    if (peer === null || !ours(peer)) return peer;
    const forwarded = forwardedFor(req);
    for (let i = forwarded.length - 1; i >= 0; i--) {
      if (!ours(forwarded[i])) return forwarded[i];
    }
    // Every hop was ours (or there was no header): the oldest one we know of.
    return forwarded[0] ?? peer;
  }
  if (trust.trustProxy) {
    const forwarded = forwardedFor(req);
    if (forwarded.length) return forwarded[forwarded.length - 1];
  }
  return peer;
}

function forwardedFor(req: Request): string[] {
  return (req.headers.get("x-forwarded-for") ?? "").split(",").map((s) => normalize(s.trim())).filter(
    Boolean,
  );
}

/** `::ffff:1.2.3.4` (node:http's IPv4 on a dual-stack socket) is `1.2.3.4`. */
function normalize(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped ? mapped[1] : address).toLowerCase();
}

const matchers = new WeakMap<readonly string[], (address: string) => boolean>();

/** A membership test for `cidrs` (parsed once per list). Malformed entries are refused by the config. */
export function matcherOf(cidrs: readonly string[]): (address: string) => boolean {
  let match = matchers.get(cidrs);
  if (!match) {
    const ranges = cidrs.map(parseCidr).filter((r) => r !== null);
    match = (address) => {
      const ip = parseIp(normalize(address));
      return ip !== null && ranges.some((r) => r.v6 === ip.v6 && (ip.value >> r.shift) === r.prefix);
    };
    matchers.set(cidrs, match);
  }
  return match;
}

function parseCidr(cidr: string): { v6: boolean; prefix: bigint; shift: bigint } | null {
  const [address, bits] = cidr.split("/");
  const ip = parseIp(normalize(address));
  if (!ip) return null;
  const width = ip.v6 ? 128 : 32;
  const length = bits === undefined ? width : Number(bits);
  if (!Number.isInteger(length) || length < 0 || length > width) return null;
  const shift = BigInt(width - length);
  return { v6: ip.v6, prefix: ip.value >> shift, shift };
}

function parseIp(address: string): { v6: boolean; value: bigint } | null {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { v6: false, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!address.includes(":") || !/^[0-9a-f:]+$/.test(address)) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return { v6: true, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}
