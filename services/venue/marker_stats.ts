/** What the marker (services/venue/marker.ts) counts and times, read by tests and bench:venue. */
export interface MarkerStats {
  ticks: number;
  /** (tick, holder) pairs evaluated. */
  evaluations: number;
  /**
   * Of those, evaluated by `replay` (ticks processed before a reload found the account's positions changed,
   * services/venue/marker_evaluate.ts): ticks of a symbol the account did not hold before (not evaluated for
   * it until then)…
   */
  replayed: number;
  /** …and ticks of a symbol it held (evaluated before at the old positions: evaluated again). */
  reevaluated: number;
  /** Accounts written by tick batches (verdicts, highs, SL/TP) and by flushes. */
  urgent: number;
  flushed: number;
  batches: number;
  /** Every write's time: a `writeMarks` statement or an engine-path transaction. */
  commitMs: number[];
  /** CPU time of each batch's evaluation (ms). */
  evalMs: number[];
  /** Each flush from its first chunk to its last (ms). */
  flushMs: number[];
  /** Database statements issued by writes of marks (one per `writeMarks` chunk). */
  statements: number;
  /** Accounts that took the engine path (verdicts, SL/TP, and marks `writeMarks` could not write). */
  engine: number;
}
