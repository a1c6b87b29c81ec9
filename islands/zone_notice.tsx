import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { effectiveZone, isRegionZone } from "../services/time_format.ts";

/** Where "Keep" is remembered: the profile zone and the browser zone it was kept against. */
const KEPT_KEY = "ptp:zone-notice-kept";

/** Intl's own name for a zone, so an alias ("Etc/UTC" and "UTC") is not taken for a different zone. */
function canonical(zone: string): string {
  return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
}

/** How the settings page lists a zone ("America/New York"). */
const label = (zone: string) => zone.replaceAll("_", " ");

function readKept(): string | null {
  try {
    return localStorage.getItem(KEPT_KEY);
  } catch {
    return null; // storage blocked: the notice shows, and "Keep" hides it for this page view only
  }
}

/**
 * Offers the browser's time zone when the profile holds another one. Sign-up runs no JavaScript, so every
 * profile starts in UTC and a trader in Tokyo would read every time in UTC until they found the setting.
 * Saving goes through the profile API the account page's settings use (same validation, CSRF checked by
 * origin), then reloads so every server-rendered time follows. "Keep" is remembered in this browser for this
 * pair of zones; a browser that moves to yet another zone is asked again. Draws nothing on the server.
 */
export default function ZoneNotice(props: { profileZone: string }) {
  const browserZone = useSignal<string | null>(null);
  const checked = useSignal(false);
  const kept = useSignal(false);
  const saving = useSignal(false);
  const error = useSignal<string | null>(null);
  // The pages show an unknown (stale) profile zone as UTC, so the notice does too.
  const shown = effectiveZone(props.profileZone);
  const pair = () => `${shown}>${browserZone.value}`;

  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // Only a zone the profile would accept is offered.
    if (zone && isRegionZone(zone)) {
      if (canonical(zone) !== canonical(shown)) browserZone.value = zone;
    }
    kept.value = readKept() === pair();
    checked.value = true;
  }, []);

  if (!checked.value) return null;
  if (browserZone.value === null || kept.value) return <span hidden data-zone-checked />;
  const zone = browserZone.value;

  const keep = () => {
    try {
      localStorage.setItem(KEPT_KEY, pair());
    } catch { /* storage blocked: hidden for this page view only */ }
    kept.value = true;
  };

  const use = async () => {
    saving.value = true;
    error.value = null;
    try {
      const res = await fetch("/api/users/profile", {
        method: "PUT",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ timeZone: zone }),
      });
      if (res.ok) {
        location.reload();
        return;
      }
      const body = await res.json().catch(() => null);
      error.value = body?.error?.fields?.timeZone
        ? `${label(zone)} could not be saved: it ${body.error.fields.timeZone}.`
        : body?.error?.message ??
          "The time zone could not be saved. Try again, or change it in account settings.";
    } catch {
      error.value = "The time zone could not be saved: check your connection and try again.";
    }
    saving.value = false;
  };

  return (
    <div
      role="status"
      data-zone-notice
      data-zone-checked
      class="mt-4 flex flex-wrap items-center gap-x-4 gap-y-3 rounded-lg border border-line bg-raised px-4 py-3 text-sm text-ink"
    >
      <p class="min-w-0 flex-1 basis-64">
        Times are shown in {label(shown)}. Your browser is in {label(zone)}.
        {error.value && (
          <span class="mt-1 block font-semibold text-red-700 dark:text-red-400">{error.value}</span>
        )}
      </p>
      <div class="flex flex-wrap gap-2">
        <button
          type="button"
          class="btn-primary px-4 py-2 text-sm"
          disabled={saving.value}
          aria-busy={saving.value}
          onClick={use}
        >
          Use {label(zone)}
        </button>
        <button type="button" class="btn-secondary px-4 py-2 text-sm" disabled={saving.value} onClick={keep}>
          Keep {label(shown)}
        </button>
      </div>
    </div>
  );
}
