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
import { BlockList, isIP } from "node:net";

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
      // Text where an address should be was not appended by a proxy of ours (they append the address they
      // saw): the nearest hop we know of stands, rather than whatever the caller typed.
      if (isIP(forwarded[i]) === 0) return forwarded[i + 1] ?? peer;
      if (!ours(forwarded[i])) return forwarded[i];
    }
    // Every hop was ours (or there was no header): the oldest one we know of.
    return forwarded[0] ?? peer;
  }
  if (trust.trustProxy) {
    const last = forwardedFor(req).at(-1);
    if (last !== undefined && isIP(last) !== 0) return last;
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

/**
 * A membership test for `cidrs` (built once per list), on node:net's BlockList: it knows IPv6 shorthand and
 * IPv4-mapped IPv6 addresses. Malformed entries are refused by the config (`isAddressOrCidr`).
 */
export function matcherOf(cidrs: readonly string[]): (address: string) => boolean {
  let match = matchers.get(cidrs);
  if (!match) {
    const list = new BlockList();
    for (const cidr of cidrs) addCidr(list, cidr);
    match = (address) => {
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
    };
    matchers.set(cidrs, match);
  }
  return match;
}

/** `127.0.0.1`, `10.0.0.0/8`, `fd00::/8`: an address or a CIDR whose prefix length fits its family. */
export function isAddressOrCidr(entry: string): boolean {
  try {
    addCidr(new BlockList(), entry);
    return true;
  } catch {
    return false;
  }
}

/** Adds one address or CIDR to `list`; throws on a malformed one. */
function addCidr(list: BlockList, cidr: string): void {
  const [address, bits, extra] = cidr.trim().split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) throw new TypeError(`not an address or CIDR: ${cidr}`);
  const width = family === 6 ? 128 : 32;
  const length = bits === undefined ? width : Number(bits);
  if (!/^\d{1,3}$/.test(bits ?? "0") || length > width) throw new TypeError(`bad prefix length: ${cidr}`);
  list.addSubnet(address, length, family === 6 ? "ipv6" : "ipv4");
}
