import assert from "node:assert/strict";
import { computed, type Signal, signal } from "@preact/signals";
import { escapeScriptJson, SerializationError, serialize } from "./serialize.ts";
import { deserialize } from "./client/deserialize.ts";

const roundTrip = (value: unknown) => deserialize(serialize(value), (v) => signal(v));

Deno.test("serialize: plain values survive the round trip exactly", () => {
  const value = {
    s: "plain",
    hostile: "</script><script>alert(1)</script><!-- -->\u2028\u2029 & \"quotes\" 'single'",
    n: 42.5,
    zero: 0,
    negZero: -0,
    nan: NaN,
    inf: Infinity,
    ninf: -Infinity,
    t: true,
    f: false,
    nil: null,
    undef: undefined,
    big: 12345678901234567890n,
    list: [1, "two", [3], { four: 4 }],
    nested: { deep: { deeper: ["x"] } },
    when: new Date("2026-03-29T01:30:00.000Z"),
    emptyObj: {},
    emptyList: [],
  };
  const back = roundTrip(value) as typeof value;
  assert.deepEqual(back, value);
  assert.ok(Object.is(back.negZero, -0));
  assert.ok(back.when instanceof Date);
  assert.ok("undef" in back);
});

Deno.test("serialize: shared references and signals keep their identity", () => {
  const count = signal(3);
  const shared = { id: "a" };
  const back = roundTrip([{ count, shared }, { count, shared }]) as {
    count: Signal<number>;
    shared: object;
  }[];
  assert.equal(back[0].count, back[1].count);
  assert.equal(back[0].shared, back[1].shared);
  assert.equal(back[0].count.value, 3);
  back[0].count.value = 4;
  assert.equal(back[1].count.value, 4);
});

Deno.test("serialize: a signal holding an object, a computed, and a cycle", () => {
  const base = signal(2);
  const doubled = computed(() => base.value * 2);
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const back = roundTrip({ obj: signal({ a: [1] }), doubled, cyclic }) as {
    obj: Signal<{ a: number[] }>;
    doubled: Signal<number>;
    cyclic: Record<string, unknown>;
  };
  assert.deepEqual(back.obj.value, { a: [1] });
  assert.equal(back.doubled.value, 4);
  assert.equal(back.cyclic.self, back.cyclic);
});

Deno.test("serialize: unserializable props are named by path", () => {
  const cases: [unknown, RegExp][] = [
    [{ onClick: () => {} }, /^props\.onClick: functions cannot be sent/],
    [{ deep: { list: [1, Symbol("x")] } }, /^props\.deep\.list\[1\]: symbols cannot be sent/],
    [{ m: new Map() }, /^props\.m: a Map instance cannot be sent/],
    [{ bad: new Date("nope") }, /^props\.bad: invalid Date/],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => serialize(value, "props"),
      (e: unknown) => e instanceof SerializationError && message.test(e.message),
    );
  }
});

Deno.test("escapeScriptJson: nothing can close the script or open a comment", () => {
  const json = serialize({ x: "</script><!--<script>\u2028&" });
  const escaped = escapeScriptJson(json);
  assert.doesNotMatch(escaped, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(escaped), JSON.parse(json));
});
