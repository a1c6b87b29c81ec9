/**
 * A small HTTP client for API tests, over `app.request()` (no sockets).
 *
 * Every client speaks from its own random address: rate limits are keyed by IP and, with REDIS_URL, shared
 * across test runs, so a fixed address would inherit the budget spent by earlier runs. The address is sent
 * both as `X-Forwarded-For` (honoured when TRUST_PROXY is set) and as the socket's remote address (what
 * `ctx.remoteAddr` sees otherwise), so the app counts it either way.
 */
import type { FreshApp } from "../../lib/app.ts";
import type { Deps } from "../../services/deps.ts";
import type { Role } from "../../services/auth/roles.ts";
import { createOrPromoteStaff } from "../../services/auth/staff.ts";
import { accessTokenFor, login } from "../../services/auth/accounts.ts";
import { createSession } from "../../services/auth/sessions.ts";
import { beginTotpEnrollment, confirmTotpEnrollment } from "../../services/auth/two_factor.ts";
import { totpCode } from "../../services/auth/totp.ts";

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <bearer>`. */
  bearer?: string;
  /** The raw `Cookie` header. */
  cookie?: string;
  headers?: HeadersInit;
}

/** A random IPv6 address in the unique-local range: practically never repeats across runs. */
export function randomIp(): string {
  const words = crypto.getRandomValues(new Uint16Array(7));
  return ["fd00", ...Array.from(words, (w) => w.toString(16))].join(":");
}

export class TestClient {
  constructor(readonly app: FreshApp, readonly ip: string = randomIp()) {}

  /** Any request, from this client's address. */
  request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("x-forwarded-for", this.ip);
    if (!headers.has("user-agent")) headers.set("user-agent", "proptrade-tests");
    return Promise.resolve(
      this.app.request(path, { ...init, headers }, { remoteAddr: { hostname: this.ip } }),
    );
  }

  /**
   * A JSON request: `body` (when not undefined) is serialized with `content-type: application/json`.
   * Pass a string to send it verbatim (still labelled JSON), e.g. to send malformed JSON.
   */
  json(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<Response> {
    const headers = new Headers(opts.headers);
    if (opts.bearer !== undefined) headers.set("authorization", `Bearer ${opts.bearer}`);
    if (opts.cookie !== undefined) headers.set("cookie", opts.cookie);
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    return this.request(path, { method, headers, body: payload });
  }
}

export function client(app: FreshApp, ip?: string): TestClient {
  return new TestClient(app, ip);
}

/** A unique address nobody else has registered. */
export function uniqueEmail(prefix = "u"): string {
  return `${prefix}-${crypto.randomUUID()}@example.test`;
}

/** A password that passes the policy (long, mixed, not a common one). */
export function strongPassword(): string {
  return `correct-Horse-battery-${crypto.randomUUID().slice(0, 8)}`;
}

export interface SignedIn {
  email: string;
  password: string;
  userId: string;
  role: Role;
  /** The login's session (the `sid` of its access tokens). */
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  /** Headers that authenticate as this user. */
  auth: { authorization: string };
  /** The address the user signed in from. */
  ip: string;
}

/** The claims of a JWT, unverified (tests only). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  const b64 = payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "=");
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))));
}

/** Signs in through `POST /api/auth/login`; throws with the response body unless it is 200. */
export async function apiLogin(
  c: TestClient,
  email: string,
  password: string,
): Promise<{ accessToken: string; refreshToken: string; sessionId: string }> {
  const res = await c.json("POST", "/api/auth/login", { email, password });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const { accessToken, refreshToken } = await res.json();
  return { accessToken, refreshToken, sessionId: String(jwtClaims(accessToken).sid) };
}

/** Registers a trader with a unique email and a strong password through the API, then signs in. */
export async function signUp(
  app: FreshApp,
  overrides: {
    email?: string;
    password?: string;
    firstName?: string;
    lastName?: string;
    client?: TestClient;
  } = {},
): Promise<SignedIn & { client: TestClient }> {
  const c = overrides.client ?? client(app);
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? strongPassword();
  const res = await c.json("POST", "/api/auth/register", {
    email,
    password,
    firstName: overrides.firstName ?? "Test",
    lastName: overrides.lastName ?? "Trader",
  });
  if (res.status !== 202) throw new Error(`register ${email}: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
  // Registration does not say who the account is (a taken email gets the same answer): the login does.
  const tokens = await apiLogin(c, email, password);
  return {
    email,
    password,
    userId: String(jwtClaims(tokens.accessToken).sub),
    role: "trader",
    ...tokens,
    auth: { authorization: `Bearer ${tokens.accessToken}` },
    ip: c.ip,
    client: c,
  };
}

/** What an enrolled user keeps: the TOTP secret (to make codes with `totpCode`) and unused recovery codes. */
export interface SecondFactor {
  totpSecret: string;
  recoveryCodes: string[];
}

/**
 * Turns 2FA on for a user through the real service (begin → confirm), as the security page does. The
 * confirmation uses the code of a minute ago (passing that as its `now`), so the current code stays unspent
 * for the sign-in that follows.
 */
export async function enrolTotp(deps: Deps, userId: string, email: string): Promise<SecondFactor> {
  const { secret } = await beginTotpEnrollment(deps.db, deps.totpKey, { id: userId, email });
  const earlier = new Date(Date.now() - 60_000);
  const actor = { userId, ip: randomIp(), userAgent: "proptrade-tests" };
  const { recoveryCodes } = await confirmTotpEnrollment(
    deps.db,
    deps.totpKey,
    userId,
    totpCode(secret, earlier),
    actor,
    earlier,
  );
  return { totpSecret: secret, recoveryCodes };
}

/**
 * A staff user of `role`, created as the operator command does (`createOrPromoteStaff`), enrolled in 2FA
 * (staff must be, see `authorize`), then signed in through the login service with password and current code
 * (a real session and token pair, as `POST /api/auth/login` would issue).
 */
export async function makeStaff(deps: Deps, role: Role): Promise<SignedIn & SecondFactor> {
  const email = uniqueEmail(role);
  const password = strongPassword();
  const actor = { userId: null, ip: randomIp(), userAgent: "proptrade-tests" };
  const { id } = await createOrPromoteStaff(deps.db, { email, role, password }, actor);
  const factor = await enrolTotp(deps, id, email);
  const code = totpCode(factor.totpSecret, new Date());
  const tokens = await login(deps, { email, password, code }, actor);
  return {
    email,
    password,
    userId: id,
    role,
    sessionId: tokens.sessionId,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    auth: { authorization: `Bearer ${tokens.accessToken}` },
    ip: actor.ip,
    ...factor,
  };
}

/**
 * Starts one more session for an existing user without a password check (no Argon2 cost): a real session
 * row, refresh token and access token, as a login would create. For tests that burn sessions (logout, fuzz).
 */
export async function newSession(
  deps: Deps,
  user: { userId: string; role: Role },
): Promise<{ sessionId: string; accessToken: string; refreshToken: string }> {
  const actor = { userId: user.userId, ip: randomIp(), userAgent: "proptrade-tests" };
  const session = await deps.db.tx((tx) => createSession(tx, user.userId, actor));
  const accessToken = await accessTokenFor(deps, user.userId, user.role, session.sessionId);
  return { sessionId: session.sessionId, accessToken, refreshToken: session.refreshToken };
}

/** The documented error body: `{"error":{"code","message","fields"?}}`. */
export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

/** Why `body` is not the documented error shape, or null when it is. */
export function errorShapeProblem(body: unknown): string | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "body is not an object";
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== "error") {
    return `top-level keys ${JSON.stringify(keys)}, want ["error"]`;
  }
  const error = (body as { error: unknown }).error;
  if (typeof error !== "object" || error === null || Array.isArray(error)) return "error is not an object";
  const e = error as Record<string, unknown>;
  if (typeof e.code !== "string" || !e.code) return "error.code is not a non-empty string";
  if (typeof e.message !== "string" || !e.message) return "error.message is not a non-empty string";
  if ("fields" in e) {
    if (typeof e.fields !== "object" || e.fields === null || Array.isArray(e.fields)) {
      return "error.fields is not an object";
    }
    for (const [k, v] of Object.entries(e.fields)) {
      if (typeof v !== "string") return `error.fields.${k} is not a string`;
    }
  }
  const extra = Object.keys(e).filter((k) => !["code", "message", "fields"].includes(k));
  if (extra.length) return `unexpected keys in error: ${extra.join(", ")}`;
  return null;
}

/**
 * Asserts `res` is a JSON error of `status` (and `code`, if given) in the documented shape; returns the body.
 * The message names the request and the body, so a failure reads as a bug report.
 */
export async function expectError(
  res: Response,
  status: number,
  code?: string,
  what = "",
): Promise<ErrorBody> {
  const text = await res.text();
  const label = `${what ? what + ": " : ""}got ${res.status} ${text.slice(0, 300)}`;
  if (res.status !== status) throw new Error(`expected ${status}; ${label}`);
  const type = res.headers.get("content-type") ?? "";
  if (!/^application\/json\b/.test(type)) {
    throw new Error(`expected application/json, got "${type}"; ${label}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`error body is not JSON; ${label}`);
  }
  const problem = errorShapeProblem(body);
  if (problem) throw new Error(`error shape: ${problem}; ${label}`);
  const parsed = body as ErrorBody;
  if (code !== undefined && parsed.error.code !== code) {
    throw new Error(`expected code "${code}"; ${label}`);
  }
  return parsed;
}

/**
 * The islands a rendered page carries, by name, in page order. Signed-in pages all carry the header's
 * `NotificationBell`; a page that promises "no script of its own" has exactly that one.
 */
export function islandsOf(html: string): string[] {
  return [...html.matchAll(/<!--frsh:island:([A-Za-z0-9_]+):\d+-->/g)].map((m) => m[1]);
}
