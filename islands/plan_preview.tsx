import { useEffect, useRef, useState } from "preact/hooks";
import { formatMoney } from "../services/money_format.ts";
import { planDraft } from "../services/plans/plan_form.ts";
import { pathLabel } from "../services/plans/version_diff.ts";
import type { PlanRules } from "../services/plans/explain_types.ts";
import { RuleCards } from "../components/rule_cards.tsx";

/** The JSON of `POST /api/admin/plans/preview` (services/plans/preview.ts `PlanPreview`). */
interface Preview {
  name: string;
  phases: string[];
  rules: PlanRules;
  figures: {
    initialBalance: string;
    targetBalances: (string | null)[];
    dailyFloor: string | null;
    maxLossFloor: string | null;
  };
  card: {
    target: string;
    dailyLoss: string;
    maxLoss: string;
    minDays: string;
    price: string;
    profitSplit: string;
    payouts: string;
  };
}

type Status = "ready" | "updating" | "invalid" | "offline";

/**
 * The plan editor's live preview: on every change of the form `formId`, the draft goes to the server's
 * preview endpoint, which renders it with the generators of /rules and /challenges (the island computes
 * nothing itself) and judges it as saving would; invalid fields are listed with links to them.
 */
export default function PlanPreview(
  props: { formId: string; initial: Preview | null; initialErrors: Record<string, string> },
) {
  const [preview, setPreview] = useState<Preview | null>(props.initial);
  const [errors, setErrors] = useState<Record<string, string>>(props.initialErrors);
  const [status, setStatus] = useState<Status>(props.initial ? "ready" : "invalid");
  const seq = useRef(0);

  useEffect(() => {
    const form = document.getElementById(props.formId) as HTMLFormElement | null;
    if (!form) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = async () => {
      const mine = ++seq.current;
      const fields: Record<string, string> = {};
      for (const [k, v] of new FormData(form)) if (typeof v === "string") fields[k] = v;
      const draft = planDraft(fields);
      if (Object.keys(draft.errors).length > 0) {
        setErrors(draft.errors);
        setStatus("invalid");
        return;
      }
      setStatus("updating");
      try {
        const res = await fetch("/api/admin/plans/preview", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(draft.body),
        });
        const json = await res.json();
        if (mine !== seq.current) return; // a later change already asked again
        if (res.ok) {
          setPreview(json as Preview);
          setErrors({});
          setStatus("ready");
        } else {
          setErrors(json?.error?.fields ?? { definition: json?.error?.message ?? "cannot be previewed" });
          setStatus("invalid");
        }
      } catch {
        if (mine === seq.current) setStatus("offline");
      }
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    };
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    return () => {
      clearTimeout(timer);
      form.removeEventListener("input", schedule);
      form.removeEventListener("change", schedule);
    };
  }, [props.formId]);

  const errorList = Object.entries(errors);
  return (
    <div class="card space-y-5 p-4 sm:p-6" data-preview-status={status}>
      <div class="flex items-baseline justify-between gap-3">
        <h2 id="preview-h" class="text-lg font-semibold">Live preview</h2>
        <p class="text-xs text-muted" role="status" aria-live="polite">
          {status === "updating"
            ? "Updating…"
            : status === "invalid"
            ? "Paused: fix the fields below"
            : status === "offline"
            ? "Could not reach the server"
            : "Up to date"}
        </p>
      </div>
      {errorList.length > 0 && (
        <div class="rounded-lg border border-red-700/40 bg-red-50 p-3 text-sm text-red-800 dark:border-red-400/40 dark:bg-red-950/40 dark:text-red-200">
          <p class="font-semibold">The preview shows once these are fixed:</p>
          <ul class="mt-2 list-disc space-y-1 pl-5">
            {errorList.map(([path, message]) => (
              <li key={path}>
                <a class="link" href={`#${fieldId(path)}`}>{pathLabel(fieldId(path))}</a> {message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {preview && <Shown preview={preview} stale={status !== "ready"} />}
    </div>
  );
}

/** Error paths name `….percent` / `….amount`; the form types both in `….value`. */
function fieldId(path: string): string {
  return path.replace(/\.(percent|amount)$/, ".value");
}

function Shown({ preview, stale }: { preview: Preview; stale: boolean }) {
  const { rules, figures, card } = preview;
  const money = (a: string | null) => (a === null ? "None" : formatMoney(a, rules.currency));
  return (
    <div class={stale ? "space-y-5 opacity-60" : "space-y-5"}>
      <section aria-labelledby="preview-figures">
        <h3 id="preview-figures" class="text-sm font-semibold uppercase tracking-wider text-muted">
          On a {money(figures.initialBalance)} account
        </h3>
        <dl class="mt-2 grid grid-cols-[minmax(0,1fr)_auto] gap-x-4 gap-y-1 text-sm">
          {preview.phases.map((name, i) => (
            <Row
              key={i}
              label={`${name}: balance to reach`}
              value={money(figures.targetBalances[i] ?? null)}
            />
          ))}
          <Row label="Daily loss floor on day one" value={money(figures.dailyFloor)} />
          <Row label="Maximum loss floor at the start" value={money(figures.maxLossFloor)} />
          <Row label="Price" value={money(card.price)} />
        </dl>
      </section>
      <section aria-labelledby="preview-card">
        <h3 id="preview-card" class="text-sm font-semibold uppercase tracking-wider text-muted">
          The card on /challenges
        </h3>
        <dl class="mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
          <Row label="Profit target" value={card.target} />
          <Row label="Daily loss" value={card.dailyLoss} />
          <Row label="Max loss" value={card.maxLoss} />
          <Row label="Min. trading days" value={card.minDays} />
          <Row label="Profit split" value={card.profitSplit} />
        </dl>
      </section>
      <section aria-labelledby="preview-rules" class="space-y-3">
        <h3 id="preview-rules" class="text-sm font-semibold uppercase tracking-wider text-muted">
          The text on /rules
        </h3>
        <RuleCards rules={rules} compact />
        <p class="text-xs text-muted">Daily reset: {rules.reset}.</p>
      </section>
    </div>
  );
}

function Row(props: { label: string; value: string }) {
  return (
    <>
      <dt class="text-muted">{props.label}</dt>
      <dd class="text-right font-semibold tabular-nums">{props.value}</dd>
    </>
  );
}
