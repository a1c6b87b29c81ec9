import { z } from "zod";
import { singleLine } from "../../lib/text.ts";
import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { validate } from "../../lib/validation.ts";
import { rolesWith } from "../../services/auth/roles.ts";
import { listOutbox } from "../../services/mail/outbox.ts";
import { DateTime, ZoneNote } from "../../components/date_time.tsx";

/** Every mail the product sent (or, without SMTP, would have sent). Support and admins only. */
export const access = rolesWith("mail.read");

const query = z.object({ to: singleLine().trim().max(254).optional() });

export const handler = define.handlers({
  async GET(ctx) {
    setMeta(ctx.state, "Mail outbox", "Mail sent by PropTrade Pro.");
    const { to } = validate(query, Object.fromEntries(ctx.url.searchParams));
    const mails = await listOutbox(ctx.state.deps.db, { to: to || undefined, limit: 100 });
    return page({ mails, to: to ?? "", timeZone: ctx.state.user.timeZone });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => (
  <>
    <h1 class="text-2xl font-bold tracking-tight">Mail outbox</h1>
    <ZoneNote zone={data.timeZone} class="mt-1" />
    <form method="get" class="mt-4 flex flex-wrap items-end gap-3">
      <label class="grid gap-1 text-sm">
        Recipient
        <input
          name="to"
          type="email"
          value={data.to}
          class="rounded-lg border border-line bg-surface px-3 py-2"
        />
      </label>
      <button type="submit" class="btn-primary">Filter</button>
    </form>
    {data.mails.length === 0 ? <p class="mt-6 text-muted">No mail.</p> : (
      <ol class="mt-6 grid gap-4">
        {data.mails.map((m) => (
          <li key={m.id} class="card">
            <p class="text-sm text-muted">
              <DateTime at={m.createdAt} zone={data.timeZone} /> · to {m.to} ·{" "}
              {m.error ? `failed: ${m.error}` : m.sentAt ? "sent" : "kept in outbox"}
            </p>
            <h2 class="mt-1 font-semibold">{m.subject}</h2>
            <pre class="mt-3 whitespace-pre-wrap break-words text-sm">{m.text}</pre>
          </li>
        ))}
      </ol>
    )}
  </>
));
