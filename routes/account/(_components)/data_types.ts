/** What the "Your data" page (routes/account/data.tsx) renders. */
export interface DataPageData {
  twoFactor: boolean;
  isStaff: boolean;
  /** The error of the form just sent, by form. */
  errors: { export?: string; erase?: string };
}
