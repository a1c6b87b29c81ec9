/**
 * The account overview (`GET /api/accounts/:id/overview`, the account page, the dashboard cards): the
 * persisted engine state read through the engine's own objectives and `meters.ts`, with the breach, the
 * reinstated trace and the next phase around it. A thin shell: the figures all come from the pure cores.
 */
import type { Sql } from "../../db/client.ts";
import { objectives } from "../engine/objectives.ts";
import { type AccountState, type BreachEvidence, stateFromJson } from "../engine/state.ts";
import type { EngineRules } from "../engine/rules.ts";
import { ANCHOR_WORDS, stageTerms } from "../plans/rule_terms.ts";
import { findReadableAccount, type Reader } from "./access.ts";
import { accountMeters } from "./meters.ts";
import type { AccountMeters, AccountOverview, EvidenceJson, ObjectiveJson } from "./overview_json.ts";
import { rulesFor, type Stage, stageOf } from "./rules.ts";
import type { AccountSummary } from "./summary.ts";
import { type ListedAccount, listTraderAccounts, stageName } from "./trader_accounts.ts";
import type { Objective } from "../engine/objectives.ts";

// The JSON types restate the engine's for the browser; these fail to compile if the two drift apart.
const _evidence = (e: BreachEvidence): EvidenceJson => e;
const _objective = (o: Objective): ObjectiveJson => o;
void _evidence, _objective;

interface EngineRow {
  plan_version_id: string | null;
  engine_state: unknown;
}

/** The overview of an account `reader` may read (owner or staff); NotFound otherwise, audited. */
export async function loadAccountOverview(
  sql: Sql,
  reader: Reader,
  accountId: string,
  now = new Date(),
): Promise<AccountOverview> {
  const account = await findReadableAccount(sql, reader, accountId);
  const [row] = await sql<EngineRow[]>`
    select plan_version_id, engine_state from accounts where id = ${accountId}`;
  const stage = stageOf(account);
  const e = await evaluateRow(sql, account, row, now);
  const history = await sql<{ evidence: BreachEvidence }[]>`
    select evidence from breaches where account_id = ${accountId}
    order by at desc, created_at desc limit 20`;
  const standing = e.breach ??
    (account.status === "paused"
      ? history.find((h) => h.evidence.action === "pause")?.evidence ?? null
      : null);
  // A failure that no longer stands was reinstated by staff: it stays visible as a trace.
  const reinstated = account.status === "failed"
    ? null
    : history.find((h) => h.evidence.action === "fail")?.evidence ?? null;
  return {
    account,
    stageName: stageName(account.type, account.phase, e.phaseName),
    planName: e.planName,
    meters: e.meters,
    objectives: e.objectives,
    anchorWords: e.anchorWords,
    breach: standing,
    reinstated,
    next: account.status === "passed" ? await nextStage(sql, account, stage) : null,
    computedAt: now.toISOString(),
  };
}

interface Evaluated {
  meters: AccountMeters | null;
  objectives: ObjectiveJson[];
  breach: BreachEvidence | null;
  anchorWords: string | null;
  planName: string | null;
  phaseName: string | null;
}

/** The engine's reading of one account row (nothing for an account without a plan or state). */
export async function evaluateRow(
  sql: Sql,
  account: AccountSummary,
  row: EngineRow | undefined,
  now: Date,
): Promise<Evaluated> {
  if (!row?.plan_version_id || !row.engine_state) {
    return { meters: null, objectives: [], breach: null, anchorWords: null, planName: null, phaseName: null };
  }
  const stage = stageOf(account);
  const { plan, rules } = await rulesFor(sql, row.plan_version_id, stage);
  const state = stateFromJson(row.engine_state);
  const terms = stageTerms(plan, stage);
  return {
    meters: accountMeters(state, rules, {
      dailyLoss: terms.dailyLoss?.short ?? null,
      maxLoss: terms.maxLoss?.short ?? null,
    }),
    objectives: objectives(state, rules, now),
    breach: state.status === "failed" ? state.breach : null,
    anchorWords: rules.dailyLoss ? ANCHOR_WORDS[rules.dailyLoss.anchor] : null,
    planName: plan.name,
    phaseName: stage === "funded" ? null : plan.phases[stage]?.name ?? null,
  };
}

/** The account opened after a passed phase: the next phase, or the funded account after the last one. */
async function nextStage(
  sql: Sql,
  account: AccountSummary,
  stage: Stage,
): Promise<AccountOverview["next"]> {
  if (!account.challengeId || stage === "funded") return null;
  const [next] = await sql<{ id: string; type: AccountSummary["type"]; phase: number | null }[]>`
    select id, type, phase from accounts
    where challenge_id = ${account.challengeId} and user_id = ${account.userId}
      and (phase = ${stage + 2} or type = 'funded')
    order by created_at limit 1`;
  if (!next) return null;
  return { accountId: next.id, stageName: stageName(next.type, next.phase, null) };
}

/** One card of the dashboard: the account with its names and its meters. */
export interface AccountCard extends ListedAccount {
  meters: AccountMeters | null;
}

/** The caller's accounts (newest first) with their meters, for the dashboard overview. */
export async function listAccountCards(sql: Sql, userId: string, now = new Date()): Promise<AccountCard[]> {
  const accounts = await listTraderAccounts(sql, userId);
  if (accounts.length === 0) return [];
  const rows = await sql<(EngineRow & { id: string })[]>`
    select id, plan_version_id, engine_state from accounts
    where user_id = ${userId} and id in ${sql(accounts.map((a) => a.id))}`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return await Promise.all(accounts.map(async (account) => ({
    ...account,
    meters: (await evaluateRow(sql, account, byId.get(account.id), now)).meters,
  })));
}

/** The persisted engine state and compiled rules of an account `reader` may read (what-if questions). */
export async function loadEngineState(
  sql: Sql,
  reader: Reader,
  accountId: string,
): Promise<{ account: AccountSummary; state: AccountState; rules: EngineRules } | null> {
  const account = await findReadableAccount(sql, reader, accountId);
  const [row] = await sql<EngineRow[]>`
    select plan_version_id, engine_state from accounts where id = ${accountId}`;
  if (!row?.plan_version_id || !row.engine_state) return null;
  const { rules } = await rulesFor(sql, row.plan_version_id, stageOf(account));
  return { account, state: stateFromJson(row.engine_state), rules };
}
