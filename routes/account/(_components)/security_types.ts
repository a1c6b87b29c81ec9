import type { SignedInState } from "../../_define.ts";
import type { Context } from "../../../lib/define.ts";
import type { FieldErrors } from "../../../lib/errors.ts";
import type { Profile } from "../../../services/auth/profile.ts";
import type { SessionView } from "../../../services/auth/sessions.ts";

/** The page is for signed-in users only (its `access`), so handlers and helpers see a non-null user. */
export type Ctx = Context<SignedInState>;

export type Section = "profile" | "email" | "password" | "twoFactor" | "sessions";

/** A form of this page re-rendered after an error: the values to keep and the messages to show. */
export interface SectionState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  message?: string;
}

export interface Data {
  profile: Profile;
  sessions: SessionView[];
  welcome: boolean;
  /** Which change was just saved (after a redirect), shown in its section. */
  saved: string | null;
  state: Partial<Record<Section, SectionState>>;
  /** 2FA set-up in progress: the QR code and key to enter in the app. */
  enrollment?: { secret: string; qrDataUrl: string };
  /** Whether the session proved presence recently enough to start 2FA set-up without the password. */
  stepUpRecent: boolean;
  /** Shown once, right after 2FA was turned on. */
  recoveryCodes?: string[];
}
