/**
 * The marker's writes of plain marks (services/venue/marker.ts): marks the engine's dry run gave no verdict,
 * written by `writeMarks` (services/venue/mark_writer.ts) on top of the state they were evaluated on, and
 * published like the engine path's changes. What it cannot write exactly — a mark evaluated on another
 * version, one that derives a notification this process has not yet seen recorded, or an account the statement
 * skipped — is handed back for the engine path.
 *
 * Why these writes stay synchronous (`synchronous_commit` on), though a plain mark looks re-derivable: its
 * change is published (SSE) right after the statement, so a trader may have been shown an equity, a raised
 * high-water mark (the trailing floor every later tick is judged against) and a state version that an
 * asynchronous commit could lose in a crash — after which the next write would reuse that version for another
 * change. And it would not make orders faster: an order's COMMIT must flush all WAL written before it,
 * asynchronously committed or not (issue #14: bench:venue measured the same order and bare-write latencies
 * with these writes asynchronous).
 */
import type { Deps } from "../deps.ts";
import { log } from "../log.ts";
import { advance } from "../accounts/advance.ts";
import { type AccountChange, publishChange } from "../accounts/change_log.ts";
import { toEngineEvent } from "../engine/sync_events.ts";
import { limitsOf, notificationsOf } from "../notifications/derive.ts";
import { tickMarkId } from "./engine_path.ts";
import { type MarkWrite, writeMarks } from "./mark_writer.ts";
import type { Holder, PendingMark } from "./marker_holders.ts";
import { markEvent } from "./settle.ts";

/** Marks of one account to write, in order, and the holder's state and row they start from. */
export interface PlainMarks {
  id: string;
  marks: PendingMark[];
  basis: Pick<Holder, "state" | "row">;
}

/**
 * Writes `items` in one statement where it can (updating their holders' state and row); returns the items
 * left for the engine path and the statements issued (0 or 1).
 */
export async function writePlainMarks(
  deps: Pick<Deps, "db" | "bus">,
  holders: ReadonlyMap<string, Holder>,
  items: readonly PlainMarks[],
): Promise<{ left: PlainMarks[]; statements: number }> {
  const left: PlainMarks[] = [];
  const byId = new Map(items.map((i) => [i.id, i]));
  const writes: MarkWrite[] = [];
  for (const item of items) {
    const h = holders.get(item.id);
    const { state, row } = item.basis;
    if (!h || item.marks[0]?.basis !== state.version) {
      left.push(item);
      continue;
    }
    const events = item.marks.map((m) =>
      markEvent({ id: tickMarkId(m.tick), at: m.at, equity: m.equity, balance: state.balance, tick: m.tick })
    );
    const advanced = advance(state, h.rules, events.map((e) => ({ id: e.id, event: toEngineEvent(e) })));
    const keys = notificationsOf({
      accountId: item.id,
      stateVersion: advanced.state.version,
      previousVersion: state.version,
      verdicts: advanced.verdicts,
      account: {
        userId: row.user_id,
        type: row.type,
        phase: row.phase,
        status: advanced.state.status,
        currency: row.currency,
      },
    }, limitsOf(advanced.state, h.rules)).map((n) => n.key);
    if (advanced.verdicts.length > 0 || keys.some((k) => !h.notified.has(k))) {
      left.push(item);
      continue;
    }
    writes.push({ account: row, state, advanced, events });
  }
  if (writes.length === 0) return { left, statements: 0 };
  let result;
  try {
    result = await writeMarks(deps.db.sql, writes, new Date());
  } catch (error) {
    log.error("venue marks not written; taking the engine path", { scope: "venue", error });
    return { left: [...left, ...writes.map((w) => byId.get(w.account.id)!)], statements: 1 };
  }
  const changes: AccountChange[] = [];
  for (const w of writes) {
    const id = w.account.id;
    const done = result.written.get(id);
    if (!done) {
      left.push(byId.get(id)!);
      continue;
    }
    changes.push(done.change);
    const h = holders.get(id);
    if (h) {
      h.state = w.advanced.state;
      h.row = done.row;
    }
  }
  await publishChange(deps.bus, ...changes);
  return { left, statements: 1 };
}
