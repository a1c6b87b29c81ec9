/**
 * The one-time checkout token behind "Pay": a double click, a re-sent form or a second tab must not buy twice.
 *
 * The token is sealed (AES-GCM under a key derived from the app secret, bound to the buyer's user id), so it
 * cannot be read, altered or used by someone else, and it carries what the page showed: the plan, the applied
 * coupon and the total. Its nonce is the purchase's idempotency key (a unique index on orders), so the
 * same form sent twice is one purchase, decided by the database in the purchase's own transaction.
 */
import type { State } from "../../_define.ts";
import { randomToken } from "../../../lib/crypto.ts";
import { deriveKey, open, seal } from "../../../services/auth/secret_box.ts";

/** How long a checkout page may stay open before Pay asks to review it again. */
const CHECKOUT_TOKEN_MS = 30 * 60_000;

const PURPOSE = "checkout-token";

/** What a Pay form commits to. */
interface CheckoutToken {
  nonce: string;
  planId: string;
  coupon: string | null;
  /** The total shown on the page, as a decimal string: Pay refuses to charge anything else. */
  amount: string;
  currency: string;
  expiresAt: number;
}

const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(state: State): Promise<CryptoKey> {
  const secret = state.deps.config.jwtSecret;
  let key = keys.get(secret);
  if (!key) keys.set(secret, key = deriveKey(secret, PURPOSE));
  return key;
}

/** A fresh token for `userId` paying `amount` for `planId` with `coupon`. */
export async function issueCheckoutToken(
  state: State,
  userId: string,
  input: Omit<CheckoutToken, "nonce" | "expiresAt">,
  now = Date.now(),
): Promise<string> {
  const token: CheckoutToken = { ...input, nonce: randomToken(16), expiresAt: now + CHECKOUT_TOKEN_MS };
  return await seal(await keyFor(state), JSON.stringify(token), `${PURPOSE}:${userId}`);
}

/** The token `sealed` of `userId`, or null when it was tampered with, belongs to someone else or has expired. */
export async function openCheckoutToken(
  state: State,
  userId: string,
  sealed: string,
  now = Date.now(),
): Promise<CheckoutToken | null> {
  try {
    const token = JSON.parse(
      await open(await keyFor(state), sealed, `${PURPOSE}:${userId}`),
    ) as CheckoutToken;
    return typeof token.nonce === "string" && token.expiresAt > now ? token : null;
  } catch {
    return null;
  }
}
