import assert from "node:assert/strict";
import { formatDateTime } from "./time.ts";

Deno.test("formatDateTime: shows UTC instants in the viewer's zone, DST-aware", () => {
  const winter = new Date("2026-01-15T12:00:00Z");
  const summer = new Date("2026-07-15T12:00:00Z");
  assert.match(formatDateTime(winter, "Europe/Prague"), /13:00/);
  assert.match(formatDateTime(summer, "Europe/Prague"), /14:00/);
  assert.match(formatDateTime(summer, "America/Chicago"), /07:00/);
  assert.match(formatDateTime(winter, "Not/AZone"), /12:00 UTC/);
});
