/**
 * The what-if simulator is open to every trader, so its work is bounded: the horizon, the number of events
 * and the size of the answer, and a maximal simulation yields to other requests instead of freezing the
 * process (issue #9: `startAt` 1,000 years back held the event loop for 21 s).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, signUp } from "./helpers/client.ts";
import { stallBound, whileProbing } from "./helpers/loop_probe.ts";
import { sync } from "./helpers/sync.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";

/** The smallest valid `trade_open` (short ids), to fit the most events in a body. */
const compactOpen = (i: number) => ({
  id: `o${i}`,
  type: "trade_open",
  tradeId: `${i}`,
  symbol: "X",
  direction: "buy",
  volume: "1",
  price: "1",
});

const START = Date.parse("2026-03-02T08:00:00Z");
const iso = (t: number) => new Date(t).toISOString();
const DAY = 86_400_000;

Deno.test("what-if simulator: bounded horizon, events and answer; a maximal run does not freeze the server", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const body = demoPlans().find((p) => p.slug === "two-step-100k")!.body;
    const slug = `simlim-${crypto.randomUUID().slice(0, 8)}`;
    const { planId } = await deps.db.tx((tx) => insertPlan(tx, { slug, family: `Sim ${slug}`, body }));
    const post = (input: unknown) =>
      c.json("POST", "/api/rules/simulate", input, { bearer: trader.accessToken });

    await t.step("startAt 1,000 years before the events → 422 naming the bound", async () => {
      const res = await post({
        planId,
        startAt: "1026-03-02T08:00:00Z",
        events: [sync.mark("100000.00", "100000.00", iso(START))],
      });
      const { error } = await expectError(res, 422, "unprocessable");
      // Refused by the range every instant has (2000–2100) before the horizon is even computed.
      assert.match(error.fields!.startAt, /2000/);
    });

    await t.step(
      "startAt 2 years before the events (inside the instant range) → 422 naming the horizon",
      async () => {
        const res = await post({
          planId,
          startAt: iso(START - 730 * DAY),
          events: [sync.mark("100000.00", "100000.00", iso(START))],
        });
        const { error } = await expectError(res, 422, "unprocessable");
        assert.match(error.fields!.startAt, /at most 366 days before the last event/);
      },
    );

    await t.step("`until` more than 366 days after startAt → 422 naming `until`", async () => {
      const res = await post({ planId, startAt: iso(START), events: [], until: iso(START + 367 * DAY) });
      const { error } = await expectError(res, 422, "unprocessable");
      assert.match(error.fields!.until, /at most 366 days after startAt/);
    });

    await t.step("neither the 1,000-year request nor a maximal one holds the event loop", async () => {
      const ancient = await whileProbing(
        () =>
          post({
            planId,
            startAt: "1026-03-02T08:00:00Z",
            events: [sync.mark("100000.00", "100000.00", iso(START))],
          }),
        () => app.request("/healthz"),
      );
      await expectError(ancient.result, 422, "unprocessable");
      // The largest body the route takes (64 KB): as many positions as fit, all left open (the engine copies
      // every open position per event: the costliest input), then a full year of daily resets.
      const events: Record<string, string>[] = [];
      for (let i = 0; JSON.stringify(events).length < 61_500; i++) {
        events.push({ ...compactOpen(i), at: iso(START + 1_000 + i * 1_000) });
      }
      // ... and on the year's last day, a loss through the daily floor.
      events.push(sync.mark("90000.00", "100000.00", iso(START + 365 * DAY)));
      const until = iso(START + 366 * DAY);
      const maximal = await whileProbing(
        () => post({ planId, startAt: iso(START), events, until }),
        () => app.request("/healthz"),
      );
      const res = maximal.result;
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get("content-type"), "application/json");
      const result = await res.json();
      assert.equal(result.status, "failed");
      assert.equal(result.breach.rule, "daily_loss");

      const worstGap = Math.max(ancient.worstGapMs, maximal.worstGapMs);
      const slowest = Math.max(ancient.slowestConcurrentMs, maximal.slowestConcurrentMs);
      console.log(
        `simulate (${events.length} events, 366 days): worst loop gap ${worstGap.toFixed(1)} ms, ` +
          `slowest /healthz ${slowest.toFixed(1)} ms`,
      );
      // Work runs in ~20 ms slices; the bound leaves room for a loaded 2-core box (where a process waits tens
      // of ms for a core), not for one long stall.
      const bound = stallBound(maximal.tookMs);
      assert.ok(worstGap < bound, `event loop held for ${worstGap.toFixed(0)} ms`);
      assert.ok(slowest < bound, `/healthz took ${slowest.toFixed(0)} ms`);

      // The long timeline is downsampled, and says so: it had the start, a point per event and one per reset.
      assert.ok(result.downsampled.from > events.length + 360, `from ${result.downsampled.from}`);
      assert.equal(result.downsampled.to, result.timeline.length);
      assert.ok(result.timeline.length <= 500, `${result.timeline.length} points`);
      assert.equal(result.timeline[0].at, iso(START), "the first point is kept");
      const breach = result.timeline.find((p: { status: string }) => p.status === "failed");
      assert.equal(breach?.at, result.breach.at, "the breach is kept");
      assert.equal(breach?.equity, "90000.00");
    });

    await t.step("a short timeline is whole: `downsampled` is null", async () => {
      const res = await post({ planId, startAt: iso(START), events: [], until: iso(START + 3 * DAY) });
      assert.equal(res.status, 200);
      const result = await res.json();
      assert.equal(result.downsampled, null);
      assert.equal(result.timeline.length, 4);
    });
  } finally {
    await close();
  }
});
