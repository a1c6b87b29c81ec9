/**
 * Who is calling, from where. `X-Forwarded-For` is trusted only when TRUST_PROXY says a proxy of ours sits in
 * front; then its last entry is the address that proxy saw (earlier entries are client-supplied).
 */
export function clientIp(req: Request, remoteAddr: string | undefined, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = req.headers.get("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean);
    if (forwarded?.length) return forwarded[forwarded.length - 1];
  }
  return remoteAddr ?? null;
}
