/**
 * Where the ingest floor's app CPU goes (issue 15, "Ingest efficiency"; the floor is
 * bench/engine_floor_server.ts): the pure steps of one signed batch-10 demo-sync, timed one by one in this
 * process over `--batches` batches from the engine benchmark's traders — signature check, JSON parse, the
 * zod validation of the events, sorting and evaluating the batch with the real engine, and serializing what
 * the one-row write sends. Not in these figures: the HTTP server, the database and Redis clients, GC pauses
 * of a long run. Each step is printed in µs per batch and as a ratio to JSON.parse of the same bodies in the
 * same run (the anchor: absolute figures move between machines).
 *
 * Usage: deno run -A bench/engine_floor_parts.ts [--batches=20000] [--rounds=3]
 */
import { z } from "zod";
import { syncEventSchema } from "../services/engine/sync_events.ts";
import { signSync, verifySync } from "../services/accounts/sync_signature.ts";
import { advance } from "../services/accounts/advance.ts";
import { sortBatch, uniqueById } from "../services/accounts/sync_batch.ts";
import { compileRules } from "../services/engine/rules.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { initialState, stateToJson } from "../services/engine/state.ts";
import { planDefinitionSchema } from "../services/plans/definition.ts";
import { makeSims } from "./engine_traders.ts";
import { benchFlags, flag } from "./flags.ts";

const flags = benchFlags({ batches: flag.number(20_000), rounds: flag.number(3) });
const N = flags.batches;

// The same input schema as routes/api/trading/demo-sync.ts, without its platform field.
const syncInput = z.object({ accountId: z.uuid(), events: z.array(syncEventSchema).max(1000) });
const rules = compileRules(planDefinitionSchema.parse(ftmo100k()), 0, "floor");
const sims = makeSims(Array.from({ length: 1000 }, () => crypto.randomUUID()), 60, 0);
const secret = crypto.randomUUID();
const bodies: string[] = [];
const signatures: string[] = [];
for (let i = 0; i < N; i++) {
  const sim = sims[i % sims.length];
  bodies.push(JSON.stringify({ accountId: sim.id, events: sim.events(10, Date.now()) }));
  signatures.push(signSync(secret, bodies[i]));
}

const steps = ["signature", "JSON.parse", "zod", "sort + evaluate", "serialize the write"] as const;
for (let round = 1; round <= flags.rounds; round++) {
  const states = new Map(sims.map((s) => [s.id, initialState(rules, Date.now() - 60_000)]));
  const ms = new Map<string, number>(steps.map((s) => [s, 0]));
  const add = (step: (typeof steps)[number], since: number) => {
    const now = performance.now();
    ms.set(step, ms.get(step)! + now - since);
    return now;
  };
  for (let i = 0; i < N; i++) {
    let t = performance.now();
    verifySync(signatures[i], bodies[i], secret);
    t = add("signature", t);
    const raw = JSON.parse(bodies[i]);
    t = add("JSON.parse", t);
    const input = syncInput.parse(raw);
    t = add("zod", t);
    const state = states.get(input.accountId)!;
    const { fresh } = sortBatch(input.events, new Set(), state, uniqueById(input.events));
    const advanced = advance(state, rules, fresh.map((b) => ({ id: b.event.id, event: b.engine })));
    states.set(input.accountId, advanced.state);
    t = add("sort + evaluate", t);
    JSON.stringify([{ state: stateToJson(advanced.state), events: fresh.map((b) => b.event) }]);
    add("serialize the write", t);
  }
  const anchor = ms.get("JSON.parse")!;
  const total = [...ms.values()].reduce((a, b) => a + b, 0);
  console.log(
    `round ${round} (${N} batches of 10): ` +
      steps.map((s) => `${s} ${(ms.get(s)! / N * 1000).toFixed(1)} µs (${(ms.get(s)! / anchor).toFixed(2)}×)`)
        .join(", ") +
      `; all ${(total / N * 1000).toFixed(1)} µs/batch (${(total / anchor).toFixed(2)}× JSON.parse)`,
  );
}
