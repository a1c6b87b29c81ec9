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
        <ul class="flex flex-wrap gap-x-6 gap-y-2 sm:justify-end">
          <li>
            <a class="link" href="/challenges">Challenges</a>
          </li>
        </ul>
      </div>
    </footer>
  );
}
