import { define, setMeta } from "../_define.ts";
import { page, type RouteConfig } from "../../lib/define.ts";
import { describeRetention } from "../../services/retention.ts";

/** Where an erased trader lands, signed out: the same for everyone, so it names nobody. */
export const config: RouteConfig = { cache: { tags: ["site"] } };

export const handler = define.handlers({
  GET(ctx) {
    setMeta(ctx.state, "Account erased", "Your PropTrade Pro account has been erased.");
    return page({});
  },
});

export default define.page(() => (
  <div class="container-page max-w-2xl py-16">
    <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Your account has been erased</h1>
    <p class="mt-4">
      Your personal data is gone and every session has been signed out. Financial records stay, anonymised,
      for {describeRetention("financialRecords")}; identity documents stay encrypted for{" "}
      {describeRetention("kycDocuments")}. Both are then deleted.
    </p>
    <p class="mt-4">
      <a class="font-semibold underline" href="/">Back to the home page</a>
    </p>
  </div>
));
