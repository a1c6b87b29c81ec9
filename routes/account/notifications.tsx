import { define, setMeta, type SignedInState } from "../_define.ts";
import { type Context, page } from "../../lib/define.ts";
import { readForm } from "../../lib/validation.ts";
import { FormError, Notice, SubmitButton } from "../../components/form.tsx";
import {
  type MailPreferences,
  mailPreferences,
  saveMailPreferences,
  TYPE_LABELS,
} from "../../services/notifications/preferences.ts";
import { NOTIFICATION_TYPES, type NotificationType } from "../../services/notifications/types.ts";

/** Which notifications reach the user by mail. In-app ones are always on: they are the record. */
export const access = "authenticated";

const NO_STORE = { "cache-control": "no-store" };

interface Data {
  prefs: MailPreferences;
  saved: boolean;
  /** Per type: why the submitted value was refused. */
  errors: Partial<Record<NotificationType, string>>;
}

async function load(ctx: Context<SignedInState>, extra: Partial<Data> = {}): Promise<Data> {
  setMeta(
    ctx.state,
    "Notification settings",
    "Choose which notifications of your accounts reach you by mail.",
  );
  return {
    prefs: await mailPreferences(ctx.state.deps.db.sql, ctx.state.user.id),
    saved: ctx.url.searchParams.has("saved"),
    errors: {},
    ...extra,
  };
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    return page(await load(ctx), { headers: NO_STORE });
  },

  /** A ticked box is sent as `on`, an unticked one not at all; anything else is refused inline. */
  async POST(ctx) {
    const form = await readForm(ctx.req);
    const on = new Set<NotificationType>();
    const errors: Data["errors"] = {};
    for (const type of NOTIFICATION_TYPES) {
      const value = form[`email_${type}`];
      if (value === undefined) continue;
      if (value === "on") on.add(type);
      else errors[type] = "must be ticked or not: use the checkbox.";
    }
    if (Object.keys(errors).length > 0) {
      const prefs = Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t, on.has(t)])) as MailPreferences;
      return page(await load(ctx, { prefs, errors }), { status: 422, headers: NO_STORE });
    }
    await saveMailPreferences(ctx.state.deps.db.sql, ctx.state.user.id, on);
    return new Response(null, {
      status: 303,
      headers: { location: "/account/notifications?saved", ...NO_STORE },
    });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const failed = Object.keys(data.errors).length > 0;
  return (
    <div class="container-page py-12">
      <p class="text-sm">
        <a class="font-semibold underline" href="/account/security">Account security</a>
        <span aria-hidden="true" class="px-1">/</span>
        <span class="text-muted">Notifications</span>
      </p>
      <h1 class="mt-3 text-3xl font-bold tracking-tight sm:text-4xl">Notification settings</h1>
      <p class="mt-3 max-w-2xl text-muted">
        Every notification appears in your{" "}
        <a class="font-semibold underline" href="/dashboard/notifications">
          notification list
        </a>{" "}
        and on the bell. Choose which of them also reach you by mail.
      </p>
      <section aria-labelledby="mail-h" class="card mt-8 max-w-2xl space-y-5">
        <h2 id="mail-h" class="text-xl font-bold tracking-tight">Mail me when…</h2>
        {data.saved && <Notice>Your notification settings have been saved.</Notice>}
        {failed && <FormError id="prefs-error">Some choices could not be saved: see below.</FormError>}
        <form method="post" class="space-y-5">
          <fieldset class="space-y-4">
            <legend class="sr-only">Mail per notification type</legend>
            {NOTIFICATION_TYPES.map((type) => {
              const id = `email_${type}`;
              const error = data.errors[type];
              return (
                <div key={type} class="flex items-start gap-3">
                  <input
                    type="checkbox"
                    id={id}
                    name={id}
                    checked={data.prefs[type]}
                    aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
                    aria-invalid={error ? "true" : undefined}
                    class="mt-1 size-4 accent-brand-strong"
                  />
                  <div>
                    <label for={id} class="text-sm font-medium">{TYPE_LABELS[type].label}</label>
                    <p id={`${id}-hint`} class="text-sm text-muted">{TYPE_LABELS[type].hint}</p>
                    {error && (
                      <p id={`${id}-error`} class="mt-1 text-sm font-medium text-red-700 dark:text-red-400">
                        {TYPE_LABELS[type].label} {error}
                      </p>
                    )}
                  </div>
                </div>
              );
            })}
          </fieldset>
          <SubmitButton>Save settings</SubmitButton>
        </form>
      </section>
    </div>
  );
});
