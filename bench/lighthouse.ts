/**
 * `deno task lighthouse`: Lighthouse (npm) in Debian Chromium against the real app in production mode,
 * on the public pages, printing the four category scores per page (targets: performance ≥ 98, the others
 * 100). The app runs in its own process on a free port, like bench/ssr.ts; everything stops by itself.
 */
import lighthouse from "../tests/deps/lighthouse.ts";
import { chromium } from "../tests/deps/playwright.ts";
import { freePort } from "../tests/helpers/net.ts";

const PAGES = ["/", "/challenges", "/rules", "/faq"];

interface Audit {
  id: string;
  score: number | null;
  scoreDisplayMode: string;
}
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
const TARGETS: Record<(typeof CATEGORIES)[number], number> = {
  performance: 98,
  accessibility: 100,
  "best-practices": 100,
  seo: 100,
};
const root = new URL("..", import.meta.url).pathname;
const chromiumPath = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

const port = freePort();
const app = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "bench/app_server.ts", String(port)],
  cwd: root,
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = app.stdout.pipeThrough(new TextDecoderStream()).getReader();
for (let seen = ""; !seen.includes("ready");) {
  const { value, done } = await reader.read();
  if (done) throw new Error("the app exited before it was ready");
  seen += value;
}
reader.releaseLock();
app.stdout.cancel().catch(() => {});

const debugPort = freePort();
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [`--remote-debugging-port=${debugPort}`, "--no-sandbox"],
});
let failed = 0;
// Mobile is Lighthouse's default profile (simulated slow 4G and a 4× slower CPU); desktop is unthrottled.
const PROFILES = {
  mobile: {},
  desktop: {
    formFactor: "desktop",
    screenEmulation: { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false },
    throttlingMethod: "provided",
  },
} as const;
try {
  for (const [profile, settings] of Object.entries(PROFILES)) {
    console.log(`\n${profile}\n` + "page".padEnd(14) + CATEGORIES.map((c) => c.padStart(16)).join(""));
    for (const path of PAGES) {
      const result = await lighthouse(`http://127.0.0.1:${port}${path}`, {
        port: debugPort,
        output: "json",
        logLevel: "error",
        onlyCategories: [...CATEGORIES],
        ...settings,
      });
      const categories = result?.lhr.categories ?? {};
      const scores = CATEGORIES.map((c) => Math.round((categories[c]?.score ?? 0) * 100));
      const misses = CATEGORIES.filter((c, i) => scores[i] < TARGETS[c]);
      failed += misses.length;
      console.log(
        path.padEnd(14) + scores.map((s) => String(s).padStart(16)).join("") +
          (misses.length ? "   below target: " + misses.join(", ") : ""),
      );
      for (const c of misses) {
        const audits = result!.lhr.categories[c].auditRefs
          .map((ref: { id: string }) => result!.lhr.audits[ref.id])
          .filter((a: Audit) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative")
          .map((a: Audit) => `${a.id} (${a.score})`);
        console.log(`    ${c}: ${audits.slice(0, 6).join(", ")}`);
      }
    }
  }
} finally {
  await browser.close();
  app.kill("SIGTERM");
  await app.status;
}
console.log(failed ? `${failed} score(s) below target` : "all scores meet the targets");
