/**
 * A change visible in an open page (DESIGN §5 "a change visible in an open page ≤ 1 s", issue #11): signed
 * demo-sync POSTs against a real app while Chromium has the account page open; each sample is the time from
 * the POST leaving this process to the equity figure changing in the page's DOM (a MutationObserver stamps
 * it with the same wall clock). Anchor from the same run: the sync POST's own round trip, so the ratio says
 * what the user stream, the island and the re-render add on top of the engine's write.
 *
 * Also prints the chart island's gzip size (target ≤ 60 KB): its chunk, the chunks it imports that the
 * runtime does not already bring, and the lightweight-charts chunk it loads on mount.
 *
 *   DATABASE_URL=… REDIS_URL=… deno task bench:dashboard-live   (BENCH_SAMPLES, default 60)
 */
import { chromium } from "../tests/deps/playwright.ts";
import { openTestApp } from "../tests/helpers/app.ts";
import { client, signUp } from "../tests/helpers/client.ts";
import { openTestAccount } from "../tests/helpers/accounts.ts";
import { postSync, sync } from "../tests/helpers/sync.ts";
import { withServer } from "../tests/helpers/browser.ts";
import { testEnv } from "../tests/helpers/env.ts";
import { sessionCookies } from "../routes/(_http)/auth_cookies.ts";
import { readManifest } from "../lib/build.ts";
import { gzip } from "../lib/static_files.ts";
import { percentile } from "./stats.ts";

const SAMPLES = Number(Deno.env.get("BENCH_SAMPLES") ?? 60);
const BUDGET_MS = 1000;
const CHART_BUDGET = 60 * 1024;
const root = new URL("..", import.meta.url).pathname;

const ms = (v: number) => `${v.toFixed(1)} ms`;
const kb = (v: number) => `${(v / 1024).toFixed(1)} KB`;
const now = () => performance.timeOrigin + performance.now();

/** gzip bytes of the chart island: its chunk, imports the runtime does not bring, and its dynamic imports. */
async function chartIslandSize(): Promise<{ total: number; parts: [string, number][] }> {
  const manifest = await readManifest(root);
  if (!manifest) throw new Error("no build: the app builds on start, so run the bench once more");
  const island = manifest.islands["EquityChart"]?.url;
  if (!island) throw new Error("no EquityChart island in the build");
  const closure = (url: string, seen = new Set<string>()) => {
    if (seen.has(url)) return seen;
    seen.add(url);
    for (const dep of manifest.imports[url] ?? []) closure(dep, seen);
    return seen;
  };
  const runtime = closure(manifest.runtime);
  const file = (url: string) => `${root}_fresh/static/js/${url.slice(url.lastIndexOf("/") + 1)}`;
  const urls = [...closure(island)].filter((u) => !runtime.has(u));
  // Dynamic imports (the library, loaded on mount) are not in the manifest's static import lists.
  for (const url of [...urls]) {
    const text = await Deno.readTextFile(file(url));
    for (const m of text.matchAll(/import\(\s*["']\.\/([^"']+\.js)["']\s*\)/g)) {
      const dynamic = url.slice(0, url.lastIndexOf("/") + 1) + m[1];
      for (const u of closure(dynamic)) if (!runtime.has(u) && !urls.includes(u)) urls.push(u);
    }
  }
  const parts: [string, number][] = [];
  for (const url of urls) parts.push([url, (await gzip(await Deno.readFile(file(url)))).length]);
  return { total: parts.reduce((a, [, n]) => a + n, 0), parts };
}

const { app, deps, close } = await openTestApp();
const browser = await chromium.launch({
  executablePath: testEnv.chromiumPath,
  headless: true,
  args: ["--no-sandbox"],
});
try {
  const c = client(app);
  const trader = await signUp(app);
  const { accountId } = await openTestAccount(deps.db, trader.userId, { at: new Date(Date.now() - 60_000) });
  const live: number[] = [];
  const anchor: number[] = [];
  await withServer((req, info) => app.fetch(req, info), async (origin) => {
    const context = await browser.newContext({ baseURL: origin, reducedMotion: "reduce" });
    await context.addCookies(
      sessionCookies(false, trader).map((cookie) => {
        const [name, value] = cookie.split(";")[0].split("=");
        return { name, value, url: origin };
      }),
    );
    const page = await context.newPage();
    await page.goto(`/dashboard/accounts/${accountId}`);
    await page.waitForSelector('[data-live="live"]');
    await page.evaluate(() => {
      const w = globalThis as unknown as { seen: Record<string, number> };
      w.seen = {};
      const target = document.querySelector("#fig-equity")!;
      new MutationObserver(() => {
        const text = target.textContent ?? "";
        w.seen[text] ??= performance.timeOrigin + performance.now();
      }).observe(target, { subtree: true, characterData: true, childList: true });
    });
    for (let i = 1; i <= SAMPLES; i++) {
      const equity = `${99_000 + i}.00`;
      const shown = `$${(99_000 + i).toLocaleString("en-US")}`;
      const sent = now();
      const res = await postSync(c, deps.config.syncSecret, {
        accountId,
        events: [sync.mark(equity, "100000.00", new Date().toISOString())],
      });
      anchor.push(now() - sent);
      if (res.status !== 200) throw new Error(`sync answered ${res.status}: ${await res.text()}`);
      await res.body?.cancel();
      const seenAt = await page.waitForFunction(
        (text) => (globalThis as unknown as { seen: Record<string, number> }).seen[text],
        shown,
        { timeout: 10_000, polling: 20 },
      );
      live.push((await seenAt.jsonValue() as number) - sent);
      await new Promise((r) => setTimeout(r, 30));
    }
  });
  live.sort((a, b) => a - b);
  anchor.sort((a, b) => a - b);
  const p99 = percentile(live, 99);
  console.log(`dashboard live: ${SAMPLES} signed sync POSTs while the account page is open in Chromium`);
  console.log(
    `  sync POST → equity changed in the page: p50 ${ms(percentile(live, 50))}, p99 ${ms(p99)}, ` +
      `max ${ms(live.at(-1)!)} — budget p99 ≤ ${BUDGET_MS} ms: ${p99 <= BUDGET_MS ? "PASS" : "FAIL"}`,
  );
  console.log(
    `  anchor, the sync POST's own round trip: p50 ${ms(percentile(anchor, 50))}, p99 ${
      ms(percentile(anchor, 99))
    } → page p99 = ${(p99 / percentile(anchor, 99)).toFixed(2)}× the anchor p99`,
  );
  const chart = await chartIslandSize();
  console.log(
    `  chart island gzip: ${kb(chart.total)} (budget ≤ ${kb(CHART_BUDGET)}: ${
      chart.total <= CHART_BUDGET ? "PASS" : "FAIL"
    }) = ${chart.parts.map(([u, n]) => `${u.slice(u.lastIndexOf("/") + 1)} ${kb(n)}`).join(" + ")}`,
  );
} finally {
  await browser.close();
  await close();
}
