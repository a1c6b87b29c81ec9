import { FormError, SubmitButton } from "../../../components/form.tsx";
import { Card } from "./section_card.tsx";
import { ProofField } from "./proof_field.tsx";
import type { DataPageData } from "./data_types.ts";

/** What the export holds, as the trader reads it (services/privacy/export.ts is the list in code). */
const CONTENTS = [
  "Your profile and sign-in sessions (with their IP address and browser)",
  "Orders, challenges and accounts, with balances, floors and rule-engine state",
  "Every trade, account event and breach, with the evidence behind each verdict",
  "Payouts, and your identity checks: statuses, dates and which documents you sent",
  "Notifications, mail preferences and the security log of what you did",
];

export function ExportSection({ data }: { data: DataPageData }) {
  const error = data.errors.export;
  return (
    <Card id="export" title="Download your data">
      <p class="text-muted">
        One JSON file, readable by people and programs. Identity documents are listed but not included: write
        to us for a copy.
      </p>
      <ul class="list-disc space-y-1 pl-5 text-sm">
        {CONTENTS.map((line) => <li key={line}>{line}</li>)}
      </ul>
      {error && <FormError id="export-error">{error}</FormError>}
      <form method="post" class="space-y-5 sm:max-w-md">
        <ProofField
          twoFactor={data.twoFactor}
          id="export-proof"
          describedBy={error ? "export-error" : undefined}
          invalid={!!error}
        />
        <SubmitButton intent="export">Download my data</SubmitButton>
      </form>
    </Card>
  );
}
