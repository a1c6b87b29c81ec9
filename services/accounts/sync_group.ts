/**
 * Group commit for the sync path's writes (issue 15, "Ingest efficiency"): while a write statement of a
 * database is in flight, the batches that become ready meanwhile (other accounts, other requests) wait and are
 * then written together, as one statement (`writeGroup`); a second write goes out beside the first once enough
 * of them wait (`SECOND_WRITE_MIN`). Alone, a batch is written at once, so a quiet server adds no delay; under
 * load, the fixed cost of a statement and of its commit (the plan, the checks, the triggers, the WAL flush) is
 * shared by the group instead of paid by every batch.
 *
 * Each batch still succeeds or fails on its own: its account's compare-and-set decides whether it is written
 * (sync_fast.ts), and when a group's statement fails (e.g. a figure a column cannot hold), each of its batches
 * is written again alone, so the error reaches only the batch that caused it.
 */
import type { Sql } from "../../db/client.ts";
import type { ChangeAndRow } from "./persist.ts";
import { type FastChange, writeGroup } from "./sync_fast.ts";

/**
 * Write statements of one database in flight at once: two, so that the database can work on two groups on two
 * cores (one at a time kept a single backend busy ~99 % of the time: the throughput was bounded at one core's
 * worth of group writes, issue 15).
 */
const IN_FLIGHT = 2;
/**
 * Batches waiting before a second write starts beside one in flight; fewer wait for the next free write. A
 * second write that took whatever was waiting went out with one batch nearly every time (groups of 1 and 14
 * batches, against 6 and 4 with this floor), paying a statement and a commit per batch: two in flight then
 * measured slower than one. Alone, a batch is still written at once.
 */
const SECOND_WRITE_MIN = 6;
/** Batches per statement at most (bounds a statement's size and the time one failure costs). */
const MAX_GROUP = 64;

interface Waiting {
  item: { input: FastChange; written: ChangeAndRow };
  resolve: (written: string | null) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  waiting: Waiting[];
  inFlight: number;
}

const queues = new WeakMap<Sql, Queue>();

/** What this process's group writes did so far (all databases): see `writeGroupStats`. */
const totals = { groups: 0, batches: 0, busyMs: 0 };

/**
 * Group writes of this process so far: statements, batches in them, and the milliseconds a group write was in
 * flight (summed; with one in flight at a time, its share of a wall-clock span is how busy the write path
 * was). For the engine benchmark, which reads it around each figure: a write path busy all the time bounds the
 * throughput at the group size over the statement's time.
 */
export function writeGroupStats(): Readonly<typeof totals> {
  return { ...totals };
}

/**
 * Writes one evaluated batch if its account is unchanged (see `writeGroup`), grouped with the batches of
 * other requests that are ready at the same time. Resolves to the row version the write left, or null when
 * nothing was written (the account changed meanwhile).
 */
export function writeGrouped(sql: Sql, input: FastChange, written: ChangeAndRow): Promise<string | null> {
  let queue = queues.get(sql);
  if (!queue) queues.set(sql, queue = { waiting: [], inFlight: 0 });
  const q = queue;
  return new Promise<string | null>((resolve, reject) => {
    q.waiting.push({ item: { input, written }, resolve, reject });
    drain(sql, q);
  });
}

function drain(sql: Sql, q: Queue): void {
  while (q.inFlight < IN_FLIGHT && q.waiting.length > 0) {
    if (q.inFlight > 0 && q.waiting.length < SECOND_WRITE_MIN) return;
    // By account id: two writes in flight that share an account (its connector sent two batches at once) lock
    // their rows in the same order, so one waits for the other instead of both deadlocking.
    const group = q.waiting.splice(0, MAX_GROUP).sort((a, b) => compareIds(a.item.input, b.item.input));
    q.inFlight++;
    write(sql, group).finally(() => {
      q.inFlight--;
      drain(sql, q);
    });
  }
}

/** PostgreSQL's order of uuids (their bytes), as their lower-case text sorts. */
function compareIds(a: FastChange, b: FastChange): number {
  const x = a.account.id.toLowerCase();
  const y = b.account.id.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

async function write(sql: Sql, group: Waiting[]): Promise<void> {
  const started = performance.now();
  try {
    const written = await writeGroup(sql, group.map((w) => w.item));
    totals.groups++;
    totals.batches += group.length;
    totals.busyMs += performance.now() - started;
    group.forEach((w, i) => w.resolve(written[i]));
  } catch (error) {
    if (group.length === 1) return group[0].reject(error);
    // One batch's failure must not fail the others: each is written alone (and fails alone).
    await Promise.all(group.map(async (w) => {
      try {
        w.resolve((await writeGroup(sql, [w.item]))[0]);
      } catch (err) {
        w.reject(err);
      }
    }));
  }
}
