/**
 * Audit entries as a table: the audit log viewer's page and the back office overview's latest entries. Actor
 * and target link to the user's page where they are users; long ids and IPv6 addresses wrap instead of
 * pushing the table wider than the screen. Each wrapping column keeps a minimum width: break-all leaves a
 * column no width of its own, so the table squeezed an email to a few characters a line and split
 * "127.0.0.1"; the details wrap anywhere, or one long token (a list of ids) pushed the address out of view.
 */
import type { AuditRow } from "../../../services/audit_queries.ts";
import { DateTime } from "../../../components/date_time.tsx";
import { ScrollRegion } from "../../../components/scroll_region.tsx";

function targetOf(a: AuditRow) {
  if (!a.targetType) return "—";
  if (a.targetType === "user" && a.targetId) {
    return <a class="link" href={`/admin/users/${a.targetId}`}>{a.targetEmail ?? a.targetId}</a>;
  }
  return <span class="break-all">{a.targetType}{a.targetId ? `: ${a.targetId}` : ""}</span>;
}

/** The details as short `key: value` text (the full JSON is in the CSV and the API). */
function detailsOf(details: Record<string, unknown>): string {
  const text = Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" · ");
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/** `details` adds the details column (the viewer); the overview leaves it out to fit beside the side menu. */
export function AuditTable(
  props: { items: AuditRow[]; timeZone: string; details?: boolean; class?: string },
) {
  const details = props.details ?? true;
  return (
    <ScrollRegion label="Audit entries" class={`rounded-xl border border-line ${props.class ?? ""}`}>
      <table class={`w-full text-left text-sm ${details ? "min-w-[56rem]" : "min-w-[40rem]"}`}>
        <caption class="sr-only">Audit entries, newest first</caption>
        <thead class="bg-raised">
          <tr>
            <th scope="col" class="p-3">When</th>
            <th scope="col" class="p-3">Action</th>
            <th scope="col" class="p-3">Actor</th>
            <th scope="col" class="p-3">Target</th>
            {details && <th scope="col" class="p-3">Details</th>}
            <th scope="col" class="p-3">Address</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((a) => (
            <tr key={a.id} class="border-t border-line align-top">
              <td class="p-3 whitespace-nowrap tabular-nums">
                <DateTime at={a.at} zone={props.timeZone} />
              </td>
              <td class="p-3 font-mono text-xs">{a.action}</td>
              <td class="p-3 min-w-40 break-all">
                {a.actorId
                  ? <a class="link" href={`/admin/users/${a.actorId}`}>{a.actorEmail ?? a.actorId}</a>
                  : "System"}
              </td>
              <td class="p-3 min-w-36 break-all">{targetOf(a)}</td>
              {details && <td class="p-3 min-w-36 text-muted wrap-anywhere">{detailsOf(a.details) || "—"}
              </td>}
              <td class="p-3 min-w-24 font-mono text-xs break-all">{a.ip ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
