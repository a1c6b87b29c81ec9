/**
 * The event id of the user stream: where a client is in every log the stream merges, so a resume is exact.
 *
 * A single counter cannot do it: changes of different accounts commit concurrently, and a sequence number
 * taken at insert can commit after a larger one was already sent, so "everything after id N" would skip it.
 * Each account's `state_version` and the user's notification `seq`, on the other hand, only ever commit in
 * order (the account row, and the user's counter row, are locked by the writing transaction). So the id is
 * that vector: `<notification seq>` then `.<account key>-<version>` per account sent so far, where the key
 * is the first 8 hex digits of the account id (36-character ids would make a header of kilobytes for a
 * trader with many accounts). Two accounts of one user sharing a key is possible, if unlikely: the server
 * then cannot tell them apart and answers with a snapshot, which is still exact.
 *
 * Example: `4.3f2a9c1d-118.b07e44aa-0` — notifications up to 4, one account at 118, another at 0.
 */

/** The key an account id goes by in an event id. */
export function accountKey(accountId: string): string {
  return accountId.replaceAll("-", "").slice(0, 8).toLowerCase();
}

/** Positions of one stream: account id → version sent, plus the notification seq sent. */
export interface Positions {
  notifications: number;
  accounts: Map<string, number>;
}

/** The event id of `positions`. */
export function encodePositions(positions: Positions): string {
  let id = String(positions.notifications);
  for (const [accountId, version] of positions.accounts) id += `.${accountKey(accountId)}-${version}`;
  return id;
}

/** A parsed event id: the notification seq and account key → version; null when it is not one of ours. */
export interface ParsedId {
  notifications: number;
  keys: Map<string, number>;
}

const ENTRY = /^([0-9a-f]{8})-(\d{1,10})$/;
/** More entries than a trader could hold (and a bound on the work a forged header can cause). */
const MAX_ENTRIES = 1000;

export function parseUserEventId(value: string | null | undefined): ParsedId | null {
  if (!value) return null;
  const parts = value.trim().split(".");
  if (parts.length > MAX_ENTRIES + 1 || !/^\d{1,15}$/.test(parts[0])) return null;
  const keys = new Map<string, number>();
  for (const part of parts.slice(1)) {
    const match = ENTRY.exec(part);
    if (!match || keys.has(match[1])) return null;
    const version = Number(match[2]);
    if (version > 2 ** 31 - 1) return null;
    keys.set(match[1], version);
  }
  return { notifications: Number(parts[0]), keys };
}

/**
 * Where a resuming client is, in terms of the user's accounts as they are now (`current`: id → version), or
 * null when that cannot be known exactly (a key of no account of the user, two accounts sharing a key, a
 * position ahead of the log): the caller sends a snapshot instead. Accounts missing from the id were opened
 * after it was issued: the client has seen none of their changes (-1).
 */
export function resolvePositions(
  parsed: ParsedId,
  current: Positions,
): Positions | null {
  if (parsed.notifications > current.notifications) return null;
  const byKey = new Map<string, string>();
  for (const accountId of current.accounts.keys()) {
    const key = accountKey(accountId);
    if (byKey.has(key)) return null;
    byKey.set(key, accountId);
  }
  const accounts = new Map<string, number>();
  for (const [key, version] of parsed.keys) {
    const accountId = byKey.get(key);
    if (accountId === undefined || version > current.accounts.get(accountId)!) return null;
    accounts.set(accountId, version);
  }
  return { notifications: parsed.notifications, accounts };
}
