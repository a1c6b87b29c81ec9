import { Checkbox, FormError, Notice, SubmitButton } from "../../../components/form.tsx";
import { describeRetention } from "../../../services/retention.ts";
import { Card } from "./section_card.tsx";
import { ProofField } from "./proof_field.tsx";
import type { DataPageData } from "./data_types.ts";

export function ErasureSection({ data }: { data: DataPageData }) {
  const error = data.errors.erase;
  return (
    <Card id="erase" title="Erase your account">
      <p>Erasure happens at once and cannot be undone. Download your data first if you want a copy.</p>
      <dl class="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[9rem_1fr]">
        <dt class="font-semibold">Erased now</dt>
        <dd>
          Your email address, name, country and password; the IP address and browser of your sessions and of
          the security log entries you made; your notifications, mail copies and two-factor settings. You are
          signed out everywhere and can no longer sign in. Accounts still trading are closed.
        </dd>
        <dt class="font-semibold">Kept, anonymised</dt>
        <dd>
          Orders, payments, refunds, payouts, accounts, trades and breaches, as accounting and dispute law
          requires:{" "}
          {describeRetention("financialRecords")}, then deleted. Identity documents stay encrypted for{" "}
          {describeRetention("kycDocuments")} (anti-money-laundering law), then deleted.
        </dd>
      </dl>
      {data.impact.openAccounts > 0 && !data.isStaff && (
        <Notice tone="info">
          {data.impact.openAccounts === 1
            ? "1 of your accounts is"
            : `${data.impact.openAccounts} of your accounts are`} still trading: erasure closes{" "}
          {data.impact.openAccounts === 1 ? "it" : "them"}, and any balance in{" "}
          {data.impact.openAccounts === 1 ? "it" : "them"} can no longer be paid out.
        </Notice>
      )}
      {data.isStaff
        ? <Notice tone="info">Staff accounts are closed by an administrator, not erased here.</Notice>
        : data.impact.payoutOpen
        ? (
          <Notice tone="info">
            A payout of yours is still under way. You can erase your account once it has been paid (or after
            you cancel it).
          </Notice>
        )
        : (
          <>
            {error && <FormError id="erase-error">{error}</FormError>}
            <form method="post" class="space-y-5 sm:max-w-md">
              <ProofField
                twoFactor={data.twoFactor}
                id="erase-proof"
                describedBy={error ? "erase-error" : undefined}
                invalid={!!error}
              />
              <Checkbox
                name="confirm"
                label="I understand that my account is erased at once and cannot be restored."
              />
              <SubmitButton intent="erase" variant="danger">Erase my account</SubmitButton>
            </form>
          </>
        )}
    </Card>
  );
}
