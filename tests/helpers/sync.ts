/**
 * Sync events in the wire format of DESIGN §4 (ids, ISO times) and signed demo-sync requests, for the live
 * engine tests and the benchmark.
 */
import type { SyncEvent } from "../../services/engine/sync_events.ts";
import { signSync, SYNC_SIGNATURE_HEADER } from "../../services/accounts/sync_signature.ts";
import type { TestClient } from "./client.ts";

let seq = 0;
const nextId = () => `ev-${++seq}-${crypto.randomUUID().slice(0, 8)}`;

export const sync = {
  open: (tradeId: string, at: string, id = nextId()): SyncEvent => ({
    id,
    type: "trade_open",
    at,
    tradeId,
    symbol: "EURUSD",
    direction: "buy",
    volume: "1.00",
    price: "1.08000",
  }),
  close: (tradeId: string, pnl: string, at: string, id = nextId()): SyncEvent => ({
    id,
    type: "trade_close",
    at,
    tradeId,
    price: "1.09000",
    pnl,
  }),
  mark: (equity: string, balance: string, at: string, id = nextId()): SyncEvent => ({
    id,
    type: "equity",
    at,
    equity,
    balance,
  }),
};

/** A winning round trip of `pnl` inside one minute from `at` (a trading day, and a balance step). */
export function roundTrip(tradeId: string, pnl: string, at: string): SyncEvent[] {
  const close = new Date(Date.parse(at) + 60_000).toISOString();
  return [sync.open(tradeId, at), sync.close(tradeId, pnl, close)];
}

/**
 * `POST /api/trading/demo-sync` with `body` signed by `secret` at `signedAt` (now by default). `header`
 * replaces the signature header entirely (null: send none).
 */
export function postSync(
  c: TestClient,
  secret: string,
  body: unknown,
  opts: { signedAt?: Date; header?: string | null } = {},
): Promise<Response> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const header = opts.header === undefined ? signSync(secret, raw, opts.signedAt) : opts.header;
  if (header !== null) headers[SYNC_SIGNATURE_HEADER] = header;
  return c.request("/api/trading/demo-sync", { method: "POST", headers, body: raw });
}
