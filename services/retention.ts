/**
 * How long each kind of record is kept: the one list that both the privacy notice (routes/legal/privacy.tsx)
 * and the pruning jobs (services/privacy/prune.ts) read, so what we promise and what we do cannot drift
 * apart (tests/retention_test.ts renders the page and runs the jobs against these same values).
 *
 * Browser-safe and free of I/O: periods are calendar units, cut-offs are computed in UTC.
 */

/** A length of time in whole calendar units. */
export interface Period {
  amount: number;
  unit: "day" | "year";
}

/** One kept record kind: how long, counted from which moment (said the way the privacy notice says it). */
export interface Retention {
  period: Period;
  /** What the period counts from, as the notice says it after the period, e.g. "after the session ends". */
  from: string;
}

/**
 * The periods. Changing one changes the notice and the jobs together; change the notice's "Last updated"
 * date with it (routes/legal/privacy.tsx).
 */
export const RETENTION = {
  /** Login sessions (IP address, browser): deleted this long after they ended (sign-out, revocation or expiry). */
  sessions: { period: { amount: 30, unit: "day" }, from: "after they end" },
  /** Audit and security log entries, deleted this long after they were written. */
  auditLog: { period: { amount: 2, unit: "year" }, from: "after they are written" },
  /** The mail log (the outbox), deleted this long after a mail was written. */
  mailOutbox: { period: { amount: 1, unit: "year" }, from: "after the mail is sent" },
  /**
   * Identity documents (bytes in object storage and their rows), deleted this long after the end of the
   * business relationship, which is the erasure of the account (anti-money-laundering law asks for 5 years).
   */
  kycDocuments: { period: { amount: 5, unit: "year" }, from: "after your account is erased" },
  /**
   * Financial records of an erased account (orders, payments, refunds, challenges, accounts, trades, account
   * events, breaches, payouts), kept linked to the anonymised user, then deleted with it.
   */
  financialRecords: { period: { amount: 6, unit: "year" }, from: "after your account is erased" },
} as const satisfies Record<string, Retention>;

export type RetentionKind = keyof typeof RETENTION;

/** The instant before which a record of `kind` is past its period at `now` (UTC calendar arithmetic). */
export function retentionCutoff(kind: RetentionKind, now: Date): Date {
  return subtractPeriod(now, RETENTION[kind].period);
}

/** `at` minus `period`; a year back from 29 February lands on 28 February (never on 1 March). */
export function subtractPeriod(at: Date, period: Period): Date {
  if (period.unit === "day") return new Date(at.getTime() - period.amount * 86_400_000);
  const d = new Date(at.getTime());
  const month = d.getUTCMonth();
  d.setUTCFullYear(d.getUTCFullYear() - period.amount);
  if (d.getUTCMonth() !== month) d.setUTCDate(0);
  return d;
}

/** "30 days", "1 year", "6 years": how the privacy notice writes a period. */
export function describePeriod(period: Period): string {
  return `${period.amount} ${period.unit}${period.amount === 1 ? "" : "s"}`;
}

/** "30 days after they end": the period and what it counts from. */
export function describeRetention(kind: RetentionKind): string {
  const r: Retention = RETENTION[kind];
  return `${describePeriod(r.period)} ${r.from}`;
}
