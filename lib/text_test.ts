import assert from "node:assert/strict";
import { multiLine, singleLine, textProblem, unsafeTextErrors } from "./text.ts";

Deno.test("text: NUL, other controls, DEL, C1, noncharacters and lone surrogates are refused", () => {
  for (const bad of ["\u0000", "a\u0001", "\u001b[31m", "\u007f", "\u0085", "\uFFFE", "\uD800", "x\uDC00y"]) {
    assert.ok(textProblem(bad), JSON.stringify(bad));
  }
  for (const good of ["", "Zoë", "😀", "a\tb\r\nc", "日本語", "\u00a0"]) {
    assert.equal(textProblem(good), null);
  }
});

Deno.test("text: every string at any depth is checked, keys too, and the path is named", () => {
  assert.equal(unsafeTextErrors({ a: ["ok", { b: "fine" }], n: 1, z: null }), null);
  assert.deepEqual(unsafeTextErrors({ a: ["ok", { b: "\u0000" }] }), {
    "a.1.b": "must not contain control characters",
  });
  assert.deepEqual(unsafeTextErrors({ "k\u0000": 1 }), {
    "k\\u0000": "must not contain control characters (in the key)",
  });
  assert.deepEqual(unsafeTextErrors("\uD800"), { _: "must be valid Unicode text (it has a lone surrogate)" });
});

Deno.test("text: a body nested 100,000 deep is walked without overflowing the stack", () => {
  const deep = JSON.parse('{"a":'.repeat(100_000) + '"\\u0000"' + "}".repeat(100_000));
  const errors = unsafeTextErrors(deep)!;
  assert.equal(Object.keys(errors).length, 1);
  assert.ok(Object.keys(errors)[0].length <= 201);
});

Deno.test("text: a body full of bad strings names at most 20 of them", () => {
  const errors = unsafeTextErrors(Array.from({ length: 10_000 }, () => "\u0000"))!;
  assert.equal(Object.keys(errors).length, 20);
});

Deno.test("text: singleLine refuses tabs and line breaks, multiLine keeps them", () => {
  assert.equal(singleLine().safeParse("a\nb").success, false);
  assert.equal(singleLine().safeParse("a\tb").success, false);
  assert.equal(singleLine().trim().max(3).parse(" abc "), "abc");
  assert.equal(multiLine().parse("line 1\r\nline 2\tend"), "line 1\r\nline 2\tend");
  assert.equal(multiLine().safeParse("a\u0000").success, false);
  assert.equal(multiLine().safeParse("a\uD800").success, false);
});
