import assert from "node:assert/strict";
import {
  accountKey,
  encodePositions,
  parseUserEventId,
  type Positions,
  resolvePositions,
} from "./user_stream_id.ts";

const A = "3f2a9c1d-0000-4000-8000-000000000001";
const B = "b07e44aa-0000-4000-8000-000000000002";
const now = (accounts: [string, number][], notifications = 4): Positions => ({
  notifications,
  accounts: new Map(accounts),
});

Deno.test("user stream id: encodes every log's position, and reads back what it wrote", () => {
  const id = encodePositions(now([[A, 118], [B, 0]]));
  assert.equal(id, "4.3f2a9c1d-118.b07e44aa-0");
  const parsed = parseUserEventId(id)!;
  assert.deepEqual(resolvePositions(parsed, now([[A, 120], [B, 0]], 6)), now([[A, 118], [B, 0]]));
  assert.equal(accountKey(A), "3f2a9c1d");
});

Deno.test("user stream id: an account missing from the id was opened after it (-1: replay its whole log)", () => {
  const resolved = resolvePositions(parseUserEventId("4.3f2a9c1d-118")!, now([[A, 118], [B, 3]]))!;
  assert.deepEqual([...resolved.accounts], [[A, 118]]);
});

Deno.test("user stream id: anything the logs cannot serve exactly is null (a snapshot then)", () => {
  for (
    const bad of [
      "",
      "x",
      "4.",
      "4.3f2a9c1d",
      "4.3F2A9C1D-1",
      "4.3f2a9c1d-1.3f2a9c1d-2",
      "4.3f2a9c1d-99999999999",
    ]
  ) {
    assert.equal(parseUserEventId(bad), null, bad);
  }
  const current = now([[A, 118], [B, 3]]);
  assert.equal(resolvePositions(parseUserEventId("5")!, current), null, "notifications ahead");
  assert.equal(resolvePositions(parseUserEventId("4.3f2a9c1d-119")!, current), null, "account ahead");
  assert.equal(
    resolvePositions(parseUserEventId("4.deadbeef-1")!, current),
    null,
    "not one of the user's accounts",
  );
  // Two accounts of the user share a key: the id cannot say which one it meant.
  const twin = "3f2a9c1d-ffff-4000-8000-000000000003";
  assert.equal(resolvePositions(parseUserEventId("4.3f2a9c1d-1")!, now([[A, 5], [twin, 5]])), null);
});
