import { define } from "./_define.ts";
import { HttpError, TwoFactorEnrollmentRequired } from "../lib/errors.ts";

export default define.page(({ status, error }) => {
  if (error instanceof HttpError && error.code === TwoFactorEnrollmentRequired.CODE) {
    return (
      <section class="container-page py-24 text-center">
        <p class="text-sm font-semibold text-brand">{status}</p>
        <h1 class="mt-2 text-3xl font-bold tracking-tight">Turn on two-factor authentication first</h1>
        <p class="mt-4 text-muted">
          The back office is open to staff with two-factor authentication only. Set it up on your security
          page, then come back.
        </p>
        <a href="/account/security" class="btn-primary mt-8">Go to account security</a>
      </section>
    );
  }
  return (
    <section class="container-page py-24 text-center">
      <p class="text-sm font-semibold text-brand">{status}</p>
      <h1 class="mt-2 text-3xl font-bold tracking-tight">
        {status >= 500 ? "Something went wrong on our side" : "We could not handle that request"}
      </h1>
      <p class="mt-4 text-muted">
        {status >= 500
          ? "It has been logged. Please try again in a moment."
          : "Please check the address and try again."}
      </p>
      <a href="/" class="btn-primary mt-8">Back to the home page</a>
    </section>
  );
});
