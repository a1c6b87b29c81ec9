/**
 * Why the venue did not take an order: every refusal is a 409 with a code the terminal can act on and a
 * sentence a trader can read (DESIGN §3.5). Bad input is a 422 (lib/errors.ts Unprocessable), not a refusal.
 */
import { HttpError } from "../../lib/errors.ts";

export type RefusalCode =
  | "market_closed"
  | "insufficient_margin"
  | "account_paused"
  | "self_locked"
  | "not_trading"
  | "no_price"
  /** The account is traded through an outside platform's connector (services/accounts/trade_source.ts). */
  | "platform";

export class VenueRefusal extends HttpError {
  constructor(readonly refusal: RefusalCode, message: string) {
    super(409, refusal, message);
  }
}
