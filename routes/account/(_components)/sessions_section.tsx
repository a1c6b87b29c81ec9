import { SubmitButton } from "../../../components/form.tsx";
import { DateTime } from "../../../components/date_time.tsx";
import { zoneLabel } from "../../../services/time.ts";
import { Badge, Card, SavedNotice, SectionError } from "./section_card.tsx";
import type { Data } from "./security_types.ts";

export function SessionsSection({ data }: { data: Data }) {
  const zone = data.profile.timeZone;
  return (
    <Card id="sessions" title="Sessions">
      <SavedNotice saved={data.saved} when="session" />
      <SavedNotice saved={data.saved} when="sessions" />
      <SectionError state={data.state.sessions} />
      <p class="text-sm text-muted">
        Where your account is signed in (times in {zoneLabel(zone)}). Sign out anything you do not recognise.
      </p>
      <ul class="divide-y divide-line rounded-lg border border-line bg-surface">
        {data.sessions.map((s) => (
          <li key={s.id} class="flex flex-wrap items-center justify-between gap-4 p-4">
            <div class="min-w-0">
              <p class="flex flex-wrap items-center gap-2 font-medium">
                {describeAgent(s.userAgent)}
                {s.current && <Badge on>This device</Badge>}
              </p>
              <p class="mt-1 text-sm text-muted">
                {s.ip ?? "Unknown address"} · signed in <DateTime at={s.createdAt} zone={zone} />{" "}
                · last active <DateTime at={s.lastSeenAt} zone={zone} />
              </p>
            </div>
            {!s.current && (
              <form method="post">
                <input type="hidden" name="sessionId" value={s.id} />
                <SubmitButton intent="session-revoke" variant="secondary">Sign out</SubmitButton>
              </form>
            )}
          </li>
        ))}
      </ul>
      {data.sessions.some((s) => !s.current) && (
        <form method="post">
          <SubmitButton intent="sessions-revoke-others" variant="danger">
            Sign out all other sessions
          </SubmitButton>
        </form>
      )}
    </Card>
  );
}

/** "Chrome on macOS" from a user agent, enough to recognise one's own devices. */
function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /OPR\//.test(ua)
    ? "Opera"
    : /Firefox\//.test(ua)
    ? "Firefox"
    : /Chrome\//.test(ua)
    ? "Chrome"
    : /Safari\//.test(ua)
    ? "Safari"
    : null;
  const os = /iPhone|iPad/.test(ua)
    ? "iOS"
    : /Android/.test(ua)
    ? "Android"
    : /Mac OS X/.test(ua)
    ? "macOS"
    : /Windows/.test(ua)
    ? "Windows"
    : /Linux/.test(ua)
    ? "Linux"
    : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? ua.slice(0, 60);
}
