/**
 * The JSON the user stream (`GET /api/users/stream`) sends, for browser code. Browser-safe on purpose: the
 * account and evidence shapes come from services/accounts/overview_json.ts (no imports of its own, shared
 * with the overview API); the server's shapes are AccountSummary and AccountChange in services/accounts/,
 * NotificationJson in services/notifications/types.ts — keep in step. Money is decimal strings, instants
 * ISO-8601 UTC.
 */

import type { AccountJson, EvidenceJson } from "../../services/accounts/overview_json.ts";

/** An account as the stream's snapshot and changes carry it (`AccountSummary`; one browser-safe shape). */
export type AccountSummaryJson = AccountJson;

export type AccountStatusJson = AccountJson["status"];

/** The evidence of a breach or pause (the engine's `BreachEvidence`; the cause and positions left open). */
export type BreachEvidenceJson = EvidenceJson;

/** What the engine decided on a change (the engine's `Verdict`). */
export type VerdictJson =
  | { type: "breach"; evidence: BreachEvidenceJson }
  | { type: "paused"; until: string; evidence: BreachEvidenceJson }
  | { type: "resumed"; at: string }
  | { type: "objective_met"; key: "profit_target" | "min_trading_days" | "consistency"; at: string }
  | { type: "passed"; at: string }
  /** Money the firm moved (a payout's withdrawal, its reversal on rejection): never a loss or a profit. */
  | { type: "withdrawal" | "withdrawal_reversed"; payoutId: string; amount: string; at: string };

/** One committed change of an account (`AccountChange`), as both the account and the user stream send it. */
export interface AccountChangeJson {
  accountId: string;
  stateVersion: number;
  /** The version the change started from; null for the opening of the account. */
  previousVersion: number | null;
  /** `withdrawal`: a payout's ledger event (its verdict says withdrawal or reversal). */
  kind: "sync" | "reset" | "admin" | "lifecycle" | "withdrawal";
  at: string;
  account: AccountSummaryJson;
  verdicts: VerdictJson[];
  /** Live frames of a venue commit that opened or closed positions (`AccountChange.book`). */
  book?: true;
}

export type NotificationTypeJson =
  | "breach"
  | "pause"
  | "phase_passed"
  | "kyc_pending"
  | "daily_loss_warning"
  | "max_loss_warning";

/** One notification (the stream's `notification` frame adds `unread`, the count after it). */
export interface NotificationJson {
  id: string;
  type: NotificationTypeJson;
  accountId: string | null;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

/** The data of a `notification` frame. */
export interface NotificationFrameJson extends NotificationJson {
  unread: number;
}

/** The data of the `snapshot` frame. */
export interface UserSnapshotJson {
  accounts: AccountSummaryJson[];
  unread: number;
}
