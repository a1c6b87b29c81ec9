import { z } from "zod";
import { page, type PageResponse } from "../../../lib/define.ts";
import { Conflict } from "../../../lib/errors.ts";
import { validate } from "../../../lib/validation.ts";
import {
  changePassword,
  passwordSchema,
  reauthenticate,
  resendVerification,
} from "../../../services/auth/accounts.ts";
import { profileUpdateInput, updateProfile } from "../../../services/auth/profile.ts";
import { revokeOwnSession, signOutOtherSessions } from "../../../services/auth/sessions.ts";
import {
  beginTwoFactor,
  confirmTwoFactor,
  disableTwoFactor,
} from "../../../services/auth/two_factor_settings.ts";
import { clearSessionCookies, secureCookies } from "../../(_http)/auth_cookies.ts";
import { load, NO_STORE } from "./security_data.ts";
import type { Ctx, Data, Section } from "./security_types.ts";

type Form = Record<string, string>;

interface Action {
  /** Where its errors are shown. */
  section: Section;
  /** Fields typed back into the form after an error (never passwords or codes). */
  keep?: string[];
  run(ctx: Ctx, form: Form): Promise<Response | PageResponse<Data>>;
}

function saved(what: string, anchor: string): Response {
  return new Response(null, {
    status: 303,
    headers: { location: `/account/security?saved=${what}#${anchor}`, ...NO_STORE },
  });
}

const changePasswordInput = z.object({ currentPassword: passwordSchema, newPassword: passwordSchema });
const profileInput = profileUpdateInput.pick({ firstName: true, lastName: true, timeZone: true });
const sessionInput = z.object({ sessionId: z.uuid("must be a session id") });
// Only the shape is checked here; what a code must look like is the service's (credential_check.ts).
const codeInput = z.object({ code: z.string().trim().min(1, "is required").max(32) });
const stepUpInput = z.object({ password: passwordSchema.optional() });

/** One entry per form on the page, chosen by the submit button's `intent`. */
export const ACTIONS: Record<string, Action> = {
  profile: {
    section: "profile",
    keep: ["firstName", "lastName", "timeZone"],
    async run(ctx, form) {
      const input = validate(profileInput, {
        firstName: form.firstName ?? "",
        lastName: form.lastName ?? "",
        timeZone: form.timeZone,
      });
      await updateProfile(ctx.state.deps, ctx.state.user, input, ctx.state.actor);
      return saved("profile", "profile");
    },
  },
  "resend-verification": {
    section: "email",
    async run(ctx) {
      try {
        await resendVerification(ctx.state.deps, ctx.state.user);
      } catch (error) {
        if (error instanceof Conflict) return saved("verified", "email");
        throw error;
      }
      return saved("verification", "email");
    },
  },
  password: {
    section: "password",
    async run(ctx, form) {
      const input = validate(changePasswordInput, form);
      await changePassword(ctx.state.deps, ctx.state.user, input, ctx.state.actor).catch((error) => {
        // The password policy names the field "password"; on this form it is the new one.
        if (error.fields?.password) error.fields.newPassword = error.fields.password;
        throw error;
      });
      return saved("password", "password");
    },
  },
  "2fa-begin": {
    section: "twoFactor",
    async run(ctx, form) {
      const { deps, actor } = ctx.state;
      let user = ctx.state.user;
      // Without a recent step-up the form asks for the password, and the set-up starts once it is right.
      const { password } = validate(stepUpInput, { password: form.password || undefined });
      if (password !== undefined) user = await reauthenticate(deps, user, { password }, actor);
      const enrolment = await beginTwoFactor(deps, user);
      const enrollment = { secret: enrolment.secret, qrDataUrl: enrolment.qrSvgDataUrl };
      return page(await load(ctx, { enrollment }), { headers: NO_STORE });
    },
  },
  "2fa-confirm": {
    section: "twoFactor",
    async run(ctx, form) {
      const { deps, user, actor } = ctx.state;
      const { code } = validate(codeInput, form);
      const { recoveryCodes } = await confirmTwoFactor(deps, user, code, actor);
      return page(await load(ctx, { recoveryCodes }), { headers: NO_STORE });
    },
  },
  "2fa-disable": {
    section: "twoFactor",
    async run(ctx, form) {
      const { deps, user, actor } = ctx.state;
      const { code } = validate(codeInput, form);
      await disableTwoFactor(deps, user, code, actor);
      return saved("2fa-off", "two-factor");
    },
  },
  "session-revoke": {
    section: "sessions",
    async run(ctx, form) {
      const { deps, user, actor } = ctx.state;
      const { sessionId } = validate(sessionInput, form);
      await revokeOwnSession(deps, user, sessionId, actor);
      if (sessionId !== user.sessionId) return saved("session", "sessions");
      ctx.state.cookies.push(...clearSessionCookies(secureCookies(deps.config.env, deps.config.appUrl)));
      return new Response(null, { status: 303, headers: { location: "/", ...NO_STORE } });
    },
  },
  "sessions-revoke-others": {
    section: "sessions",
    async run(ctx) {
      const { deps, user, actor } = ctx.state;
      await signOutOtherSessions(deps, user, actor);
      return saved("sessions", "sessions");
    },
  },
};
