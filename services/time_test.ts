import assert from "node:assert/strict";
import { formatDate, formatDateTime, formatDay, isCalendarDay, isoTimeSchema, zoneLabel } from "./time.ts";

Deno.test("formatDateTime: one format, '6 Dec 2026, 22:35', in the viewer's zone, DST-aware", () => {
  const winter = new Date("2026-01-15T12:00:00Z");
  const summer = new Date("2026-07-15T12:00:00Z");
  assert.equal(formatDateTime(new Date("2026-12-06T22:35:00Z")), "6 Dec 2026, 22:35");
  assert.equal(formatDateTime(new Date("2026-12-06T22:35:00Z"), "UTC"), "6 Dec 2026, 22:35");
  assert.equal(formatDateTime(winter, "Europe/Prague"), "15 Jan 2026, 13:00");
  assert.equal(formatDateTime(summer, "Europe/Prague"), "15 Jul 2026, 14:00");
  assert.equal(formatDateTime(summer, "America/Chicago"), "15 Jul 2026, 07:00");
  assert.equal(formatDateTime(winter, "America/Chicago"), "15 Jan 2026, 06:00");
  // The zone changes the calendar day too, and midnight is 00, never 24.
  assert.equal(formatDateTime(new Date("2026-12-06T22:35:00Z"), "Asia/Tokyo"), "7 Dec 2026, 07:35");
  assert.equal(formatDateTime(new Date("2026-09-01T04:00:00Z"), "America/New_York"), "1 Sep 2026, 00:00");
  assert.equal(formatDateTime(new Date("2026-03-01T18:30:00Z"), "Asia/Kolkata"), "2 Mar 2026, 00:00");
  // An unknown zone (a stale profile value) shows UTC.
  assert.equal(formatDateTime(winter, "Not/AZone"), "15 Jan 2026, 12:00");
});

Deno.test("formatDateTime across the DST switches: the wall clock jumps, instants stay in order", () => {
  // Europe/Prague springs forward at 01:00 UTC on 29 Mar 2026 (02:00 → 03:00) and falls back at 01:00 UTC
  // on 25 Oct 2026 (03:00 → 02:00).
  assert.equal(formatDateTime(new Date("2026-03-29T00:59:00Z"), "Europe/Prague"), "29 Mar 2026, 01:59");
  assert.equal(formatDateTime(new Date("2026-03-29T01:00:00Z"), "Europe/Prague"), "29 Mar 2026, 03:00");
  assert.equal(formatDateTime(new Date("2026-10-25T00:30:00Z"), "Europe/Prague"), "25 Oct 2026, 02:30");
  assert.equal(formatDateTime(new Date("2026-10-25T01:30:00Z"), "Europe/Prague"), "25 Oct 2026, 02:30");
  // New York: 8 Mar 2026 02:00 → 03:00 local (07:00 UTC).
  assert.equal(formatDateTime(new Date("2026-03-08T06:59:00Z"), "America/New_York"), "8 Mar 2026, 01:59");
  assert.equal(formatDateTime(new Date("2026-03-08T07:00:00Z"), "America/New_York"), "8 Mar 2026, 03:00");
});

Deno.test("formatDate and zoneLabel: the date alone, and the zone named once with its offset", () => {
  assert.equal(formatDate(new Date("2026-11-26T00:00:00Z")), "26 Nov 2026");
  assert.equal(formatDate(new Date("2026-11-26T23:30:00Z"), "Europe/Prague"), "27 Nov 2026");
  assert.equal(zoneLabel("UTC"), "UTC");
  assert.equal(zoneLabel("Not/AZone"), "UTC");
  assert.equal(zoneLabel("Europe/Prague", new Date("2026-01-15T12:00:00Z")), "Europe/Prague (UTC+1)");
  assert.equal(zoneLabel("Europe/Prague", new Date("2026-07-15T12:00:00Z")), "Europe/Prague (UTC+2)");
  assert.equal(zoneLabel("America/New_York", new Date("2026-01-15T12:00:00Z")), "America/New York (UTC−5)");
  assert.equal(zoneLabel("Asia/Kolkata", new Date("2026-01-15T12:00:00Z")), "Asia/Kolkata (UTC+5:30)");
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

Deno.test("isCalendarDay: real days of 2000–2099 only", () => {
  for (const day of ["2026-12-06", "2024-02-29", "2000-01-01", "2099-12-31"]) {
    assert.equal(isCalendarDay(day), true, day);
  }
  for (const day of ["2026-02-30", "2025-02-29", "2026-13-45", "1999-12-31", "2100-01-01", "2026-1-1", ""]) {
    assert.equal(isCalendarDay(day), false, day);
  }
});

Deno.test("formatDay: a day key in formatDate's format, no zone shift; anything else unchanged", () => {
  assert.equal(formatDay("2026-11-25"), "25 Nov 2026");
  assert.equal(formatDay("2026-01-01"), "1 Jan 2026");
  assert.equal(formatDay("2026-11-25"), formatDate(new Date("2026-11-25T12:00:00Z")));
  assert.equal(formatDay("not a day"), "not a day");
});
