import { define } from "./_define.ts";

export default define.page(() => (
  <section class="container-page py-24 text-center">
    <p class="text-sm font-semibold text-brand">404</p>
    <h1 class="mt-2 text-3xl font-bold tracking-tight">This page does not exist</h1>
    <p class="mt-4 text-muted">The link may be old, or the address mistyped.</p>
    <a href="/" class="btn-primary mt-8">Back to the home page</a>
  </section>
));
