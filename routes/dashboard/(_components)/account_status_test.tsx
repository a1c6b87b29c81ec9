import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { AccountStatusPanel } from "./account_status.tsx";
import { formatters } from "./objectives.tsx";
import type { AccountOverview } from "../../../services/accounts/overview_json.ts";

/** The banner of an account paused by its daily loss limit, as text (tags dropped, spaces collapsed). */
function pausedBanner(nextResetAt: string | null): string {
  const overview = {
    account: { status: "paused", nextResetAt },
    objectives: [{ key: "daily_loss", pausedUntil: nextResetAt ?? "2026-12-08T22:00:00.000Z" }],
    stageName: "Phase 1",
    breach: null,
    next: null,
  } as unknown as AccountOverview;
  const html = renderToString(
    <AccountStatusPanel
      overview={overview}
      f={formatters("USD", "UTC")}
      now={Date.parse("2026-12-08T20:00:00Z")}
      marker={null}
    />,
  );
  const text = html.replace(/<[^>]+>/g, "").replace(/\s+/g, " ");
  return text.slice(text.indexOf("Trading is paused"));
}

Deno.test("a daily-loss pause says when trading resumes, in one sentence", () => {
  const text = pausedBanner("2026-12-08T22:00:00.000Z");
  assert.match(text, /Trading resumes at the next reset, \S[^.]*\(in 2 h 00 min\)\./);
  assert.doesNotMatch(text, / ,/);
  // Without a known time: the sentence ends there, not "at the next reset , at the next reset".
  const unknown = pausedBanner(null);
  assert.match(unknown, /Trading resumes at the next reset\./);
  assert.doesNotMatch(unknown, /next reset.*next reset/);
});
