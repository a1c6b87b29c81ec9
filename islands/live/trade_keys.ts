/**
 * The terminal's keyboard and refusal words, shared by its islands. Single-key shortcuts (B buy, S sell,
 * X close) act only when focus is not in a text field, a select or an editable element, so typing a volume
 * never sends an order.
 */

/** True when `target` takes typed text (the shortcuts then stay out of the way). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !["button", "submit", "reset", "checkbox", "radio"].includes(target.type);
}

/** The heading of each refusal the venue gives (its message says the rest); unknown codes say "refused". */
export const REFUSALS: Record<string, string> = {
  market_closed: "Market closed",
  insufficient_margin: "Not enough free margin",
  account_paused: "Trading is paused on this account",
  self_locked: "Your self-lock is holding",
  not_trading: "This account does not trade",
  no_price: "No price yet",
  unprocessable: "Check the order",
  rate_limited: "Too many orders at once",
  network: "Not sent",
  not_found: "No longer there",
};

/** One line for a refusal: its heading, then the venue's sentence (once, when the sentence starts with it). */
export function refusalText(code: string, message: string): string {
  const title = REFUSALS[code] ?? "Refused";
  return message.toLowerCase().startsWith(title.toLowerCase()) ? message : `${title}: ${message}`;
}
