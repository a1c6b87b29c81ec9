/**
 * The one place a password or a second factor is checked, each under its rate budget (DESIGN §6, issue #9):
 * sign-in, step-up, email and password change, and every 2FA action go through these functions, so a page
 * form and an API route cannot drift apart in what they limit.
 *
 * Each check enforces its budgets *before* verifying (over budget → 429 with Retry-After, even for the right
 * secret, so the limit cannot be probed) and forgets them after a success, so only failures add up.
 */
import { Unauthorized, Unprocessable } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { enforce, type NamedRateRule, RATE_RULES as RULES, ruleKey } from "../rate_limit/rules.ts";
import type { RateLimiter } from "../rate_limit/limiter.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { normalizeRecoveryCode } from "./recovery_codes.ts";
import { deviceOf } from "./device_tokens.ts";
import type { AuthDeps } from "./context.ts";
import type { Role } from "./roles.ts";

interface Budget {
  rule: NamedRateRule;
  key: string;
}

/** Spends every budget, runs `attempt`; a throw (wrong secret) leaves the hits counted, a success clears them. */
async function spend<T>(limiter: RateLimiter, budgets: Budget[], attempt: () => Promise<T>): Promise<T> {
  for (const { rule, key } of budgets) await enforce(limiter, rule, key);
  const result = await attempt();
  await Promise.all(budgets.map(({ rule, key }) => limiter.reset(ruleKey(rule, key))));
  return result;
}

// Verifying against a real-looking hash when the email is unknown keeps response times equal, so timing
// does not reveal which emails have accounts.
const DUMMY_HASH = await hashPassword(crypto.randomUUID());

/** The account a sign-in's password unlocked. */
interface SignInUser {
  id: string;
  role: Role;
  status: string;
}

/**
 * The sign-in password check. `email` is normalised. The client's budgets (services/rate_limit/rules.ts):
 * its IP's, then either its device token's (a genuine token issued to this account, see device_tokens.ts) or,
 * for an unknown client, its (account, IP) pair's and the account's shared unknown-client budget. Failures
 * are audited and answer 401 with one message whether or not the email exists.
 */
export async function checkSignInPassword(
  deps: Pick<AuthDeps, "db" | "limiter" | "deviceKey">,
  input: { email: string; password: string; deviceToken?: string },
  actor: Actor,
): Promise<SignInUser> {
  const ip = actor.ip ?? "unknown";
  await enforce(deps.limiter, RULES.login_ip, ip);
  const [user] = await deps.db.sql<(SignInUser & { password_hash: string })[]>`
    select id, password_hash, role, status from users where lower(email) = ${input.email}`;
  const device = user ? await deviceOf(deps.deviceKey, input.deviceToken, user.id) : null;
  const budgets = device ? [{ rule: RULES.login_device, key: `${user.id}:${device}` }] : [
    { rule: RULES.login_account_ip, key: `${input.email}|${ip}` },
    { rule: RULES.login_account_unknown, key: input.email },
  ];
  return await spend(deps.limiter, budgets, async () => {
    const ok = await verifyPassword(user?.password_hash ?? DUMMY_HASH, input.password);
    if (!user || !ok) {
      await recordAudit(deps.db.sql, { ...actor, userId: user?.id ?? null }, "auth.login_failed", {
        type: "user",
        id: user?.id ?? null,
        details: { email: input.email, reason: "password", knownDevice: device !== null },
      });
      throw new Unauthorized("Email or password is incorrect.");
    }
    return { id: user.id, role: user.role, status: user.status };
  });
}

/**
 * Re-checks a signed-in user's password (step-up, email change, password change) under the per-user
 * `recheck_account` budget. Throws 422 naming `field` when it is wrong, 429 over the budget.
 */
export async function checkPassword(
  deps: Pick<AuthDeps, "db" | "limiter">,
  userId: string,
  password: string,
  field: string,
): Promise<void> {
  await spend(deps.limiter, [{ rule: RULES.recheck_account, key: userId }], async () => {
    const [row] = await deps.db.sql<{ password_hash: string }[]>`
      select password_hash from users where id = ${userId}`;
    if (!row || !await verifyPassword(row.password_hash, password)) {
      throw new Unprocessable(field, "is not your current password");
    }
  });
}

/** Which second factors a check accepts: enrolment has no recovery codes yet. */
type SecondFactorKind = "totp" | "totp_or_recovery";

// As `checkCode` in two_factor.ts reads it: six digits, a space allowed in the middle as apps show them.
const TOTP_CODE = /^\s*\d{3}\s*\d{3}\s*$/;

/**
 * Checks a second factor under the per-account `totp_account` budget. `verify` does the check (in the
 * caller's transaction, with the row lock) and throws when the code is wrong. A code that cannot be one —
 * not six digits, nor a recovery code where one is accepted — is a 422 naming `code` before anything is
 * spent: it reveals nothing about the secret.
 */
export async function checkSecondFactor<T>(
  deps: Pick<AuthDeps, "limiter">,
  userId: string,
  code: string,
  kind: SecondFactorKind,
  verify: () => Promise<T>,
): Promise<T> {
  const wellFormed = TOTP_CODE.test(code) ||
    (kind === "totp_or_recovery" && normalizeRecoveryCode(code) !== null);
  if (!wellFormed) {
    throw new Unprocessable(
      "code",
      kind === "totp"
        ? "must be the 6 digits your authenticator app shows"
        : "must be the 6 digits your authenticator app shows, or a recovery code like xxxxx-xxxxx",
    );
  }
  return await spend(deps.limiter, [{ rule: RULES.totp_account, key: userId }], verify);
}
