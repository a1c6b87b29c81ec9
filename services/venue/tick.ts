/** The venue's quote type on its own, so pure modules (bars, islands) take it without the PriceBook. */

/** One quote: decimal-string prices on the instrument's tick grid, `at` in epoch ms. */
export interface Tick {
  symbol: string;
  bid: string;
  ask: string;
  at: number;
}
