import assert from "node:assert/strict";
import { breachEvents, tradePnls, tradingDayEvents } from "./market.ts";
import { INSTRUMENTS, Market } from "./instruments.ts";
import { seededRandom } from "./random.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import { toMinor } from "../money.ts";

const FROM = Date.parse("2026-11-18T07:00:00Z");
const TO = Date.parse("2026-11-18T20:00:00Z");

function day(seed: string, leaveOpen = false) {
  const random = seededRandom(seed);
  const balance = 10_250_000; // 102,500.00
  const safety = 9_800_000;
  const pnls = tradePnls(random, 40_000, random.int(2, 5), 35_000);
  const out = tradingDayEvents({
    random,
    market: new Market(seededRandom("m"), Date.parse("2026-09-01T00:00:00Z")),
    dayKey: "2026-11-18",
    from: FROM,
    to: TO,
    balance,
    scale: 1,
    pnls,
    safety,
    eventId: (n) => `e${n}`,
    tradeId: (() => {
      let n = 0;
      return () => `T${++n}`;
    })(),
    leaveOpen,
  });
  return { ...out, start: balance, safety, pnls };
}

const cents = (s: string) => Number(toMinor(s));

Deno.test("a day's events: in the session, in order, equity above the safety line, closes add up", () => {
  for (let i = 0; i < 300; i++) {
    const { events, balance, start, safety } = day(`day-${i}`);
    let running = start;
    let last = FROM;
    const open = new Set<string>();
    for (const event of events) {
      const at = Date.parse(event.at);
      assert.ok(at >= last && at <= TO, `${event.id} at ${event.at}`);
      last = at;
      if (event.type === "trade_open") open.add(event.tradeId);
      if (event.type === "equity") {
        assert.equal(cents(event.balance), running);
        assert.ok(cents(event.equity) >= safety, `equity ${event.equity} under the safety line`);
      }
      if (event.type === "trade_close") {
        assert.ok(open.delete(event.tradeId));
        running += cents(event.pnl);
        assert.ok(running >= safety);
      }
    }
    assert.equal(open.size, 0);
    assert.equal(balance, running);
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
  }
});

Deno.test("the same seed gives the same day; leaveOpen keeps the last trade open up to the session's end", () => {
  assert.deepEqual(day("same").events, day("same").events);
  assert.notDeepEqual(day("same").events, day("other").events);
  const { events } = day("open", true);
  const opens = events.filter((e) => e.type === "trade_open");
  const closes = events.filter((e) => e.type === "trade_close");
  assert.equal(closes.length, opens.length - 1);
  assert.equal(events.at(-1)!.type, "equity");
  assert.equal(Date.parse(events.at(-1)!.at), TO);
});

Deno.test("a breach day: exactly one mark under the daily floor, above the maximum floor, then the liquidation", () => {
  for (let i = 0; i < 100; i++) {
    const floor = 2_454_041;
    const maxFloor = 2_379_041;
    const { events } = breachEvents({
      random: seededRandom(`breach-${i}`),
      market: new Market(seededRandom("m"), Date.parse("2026-09-01T00:00:00Z")),
      dayKey: "2026-11-24",
      from: FROM,
      to: TO,
      balance: 2_529_041,
      floor,
      maxFloor,
      scale: 0.25,
      eventId: (n) => `e${n}`,
      tradeId: (() => {
        let n = 0;
        return () => `C${++n}`;
      })(),
    });
    const under = events.filter((e): e is Extract<SyncEvent, { type: "equity" }> =>
      e.type === "equity" && cents(e.equity) < floor
    );
    assert.equal(under.length, 1);
    assert.ok(cents(under[0].equity) >= maxFloor);
    assert.equal(events.indexOf(under[0]), events.length - 2);
    const close = events.at(-1)!;
    assert.equal(close.type, "trade_close");
    assert.ok(Date.parse(close.at) <= TO);
  }
});

Deno.test("instruments: every volume step makes whole-cent P&L and commission", () => {
  for (const i of INSTRUMENTS) {
    assert.equal((i.lotStep * i.centsPerTickPerLot) % 100, 0, i.symbol);
    assert.equal((i.lotStep * i.commissionPerLot) % 100, 0, i.symbol);
  }
});
