import { define } from "../_define.ts";
import { SubNav } from "../../components/sub_nav.tsx";

export const LEGAL_PAGES = [
  { href: "/legal/terms", label: "Terms of service" },
  { href: "/legal/privacy", label: "Privacy policy" },
  { href: "/legal/risk", label: "Risk disclosure" },
];

/** Frame of the legal documents: a readable measure, one text style for every document, links between them. */
export default define.layout(({ Component, url }) => (
  <div class="container-page py-12">
    <SubNav label="Legal documents" links={LEGAL_PAGES} current={url.pathname} />
    <article class="mt-8 max-w-3xl leading-relaxed [&_h1]:text-3xl [&_h1]:font-bold [&_h1]:tracking-tight sm:[&_h1]:text-4xl [&_h2]:mt-10 [&_h2]:text-xl [&_h2]:font-bold [&_h2]:tracking-tight [&_p]:mt-4 [&_ul]:mt-4 [&_ul]:list-disc [&_ul]:space-y-2 [&_ul]:pl-6 [&_a]:font-medium [&_a]:text-brand-strong [&_a]:underline [&_a]:underline-offset-4">
      <Component />
    </article>
  </div>
));
