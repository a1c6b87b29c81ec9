import assert from "node:assert/strict";
import { formatDateTime, isoTimeSchema } from "./time.ts";

Deno.test("formatDateTime: shows UTC instants in the viewer's zone, DST-aware", () => {
  const winter = new Date("2026-01-15T12:00:00Z");
  const summer = new Date("2026-07-15T12:00:00Z");
  assert.match(formatDateTime(winter, "Europe/Prague"), /13:00/);
  assert.match(formatDateTime(summer, "Europe/Prague"), /14:00/);
  assert.match(formatDateTime(summer, "America/Chicago"), /07:00/);
  assert.match(formatDateTime(winter, "Not/AZone"), /12:00 UTC/);
});

Deno.test("isoTimeSchema: real ISO-8601 instants from 2000 up to 2100 only", () => {
  const time = isoTimeSchema();
  for (const good of ["2000-01-01T00:00:00Z", "2026-03-02T09:00:00.123+01:00", "2099-12-31T23:59:59Z"]) {
    assert.equal(time.parse(good), good);
  }
  const bad = [
    "0000-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "1999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-03-02T09:00:00", // no offset: which zone?
    "-000001-01-01T00:00:00Z",
    "2026-03-02",
  ];
  for (const value of bad) assert.equal(time.safeParse(value).success, false, value);
  assert.match(
    time.safeParse("1970-01-01T00:00:00Z").error!.issues[0].message,
    /between 2000-01-01 and 2100/,
  );
});
