// Every link here is a page that exists (a footer never links to a 404).
const LINKS = [
  { href: "/challenges", label: "Challenges" },
  { href: "/rules", label: "Rules" },
  { href: "/faq", label: "FAQ" },
  { href: "/legal/terms", label: "Terms" },
  { href: "/legal/privacy", label: "Privacy" },
  { href: "/legal/risk", label: "Risk disclosure" },
];

/** Footer with the risk notice every prop firm page must carry. */
export function SiteFooter() {
  return (
    <footer class="mt-16 border-t border-line py-10 text-sm text-muted">
      <div class="container-page grid gap-6 sm:grid-cols-2">
        <p>
          © {new Date().getUTCFullYear()}{" "}
          PropTrade Pro. Evaluations run on simulated accounts; trading carries risk, and past simulated
          results do not guarantee future performance.
        </p>
        <nav aria-label="Footer">
          <ul class="flex flex-wrap gap-x-6 gap-y-2 sm:justify-end">
            {LINKS.map((l) => (
              <li key={l.href}>
                <a class="link" href={l.href}>{l.label}</a>
              </li>
            ))}
          </ul>
        </nav>
      </div>
    </footer>
  );
}
