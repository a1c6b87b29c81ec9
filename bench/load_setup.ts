/**
 * The load bench's traders (bench/load.ts): `n` phase-1 accounts, each owned by its own trader with a signed-in
 * session, written straight into the bench's database with the cluster's JWT secret (the same helpers as the
 * engine bench), so the bench can subscribe, read and sync as those traders.
 */
import { ensureSecrets, loadConfig } from "../services/config.ts";
import { closeDeps, openDeps } from "../services/deps.ts";
import { newSession } from "../tests/helpers/client.ts";
import { createBenchAccounts } from "./engine_server.ts";

export interface LoadAccounts {
  accountIds: string[];
  /** Bearer token of each account's owner (same index). */
  tokens: string[];
  /** The address each owner speaks from. */
  ips: string[];
  /** Unique per run: prefixes the demo-sync event ids. */
  nonce: string;
}

export async function prepareAccounts(env: Record<string, string>, n: number): Promise<LoadAccounts> {
  const deps = await openDeps(await ensureSecrets(loadConfig(env)));
  try {
    const { accountIds, userIds } = await createBenchAccounts(deps.db, n, new Date(), 8);
    const tokens: string[] = [];
    for (const userId of userIds) {
      tokens.push((await newSession(deps, { userId, role: "trader" })).accessToken);
    }
    const ips = userIds.map((_, i) => `10.150.${i >> 8}.${i & 255}`);
    return { accountIds, tokens, ips, nonce: crypto.randomUUID().slice(0, 8) };
  } finally {
    await closeDeps(deps);
  }
}
