import assert from "node:assert/strict";
import { arrayLiteral } from "./mark_writer.ts";

Deno.test("array literals of plain tokens pass as they are, nulls as NULL; anything that would need quoting is refused", () => {
  assert.equal(arrayLiteral([]), "{}");
  assert.equal(
    arrayLiteral(["0f96bc76-7e0f-497d-a2af-2519144467c2", "-1234.50", "2026-03-02T08:01:03.000Z", null, 7]),
    "{0f96bc76-7e0f-497d-a2af-2519144467c2,-1234.50,2026-03-02T08:01:03.000Z,NULL,7}",
  );
  for (const bad of ["a,b", 'say "x"', "a b", "{x}", "back\\slash", "", "null", "NULL"]) {
    assert.throws(() => arrayLiteral([bad]), /not a plain token/, bad);
  }
});
