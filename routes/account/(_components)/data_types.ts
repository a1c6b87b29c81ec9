/** What the "Your data" page (routes/account/data.tsx) renders. */
export interface DataPageData {
  twoFactor: boolean;
  isStaff: boolean;
  /** What erasure would do now: accounts it closes, and whether a payout under way blocks it. */
  impact: { openAccounts: number; payoutOpen: boolean };
  /** The error of the form just sent, by form. */
  errors: { export?: string; erase?: string };
}
