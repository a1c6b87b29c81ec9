import assert from "node:assert/strict";
import AxeBuilder from "../deps/axe.ts";
import { type Browser, chromium, type Page } from "../deps/playwright.ts";
import { hasBinary, skipUnless, testEnv } from "./env.ts";
import { listen, type ServeHandler, type ServeInfo } from "../../lib/http_listener.ts";
import { sessionCookies } from "../../routes/(_http)/auth_cookies.ts";

/** True when browser tests must be skipped (no Chromium outside CI); prints why. */
export const noBrowser = skipUnless(
  hasBinary(testEnv.chromiumPath),
  `Chromium not found at ${testEnv.chromiumPath} (apt-get install chromium): browser tests skipped`,
);

export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: testEnv.chromiumPath,
    headless: true,
    args: ["--no-sandbox"],
  });
}

/**
 * `app` answering as if every request came from `ip`: a browser test's own client address, so its sign-ins
 * and requests spend a rate-limit budget of their own (tests/helpers/client.ts `randomIp`).
 */
export function fromAddress(
  app: { fetch(req: Request, info: ServeInfo): Response | Promise<Response> },
  ip: string,
): ServeHandler {
  return (req, info) => app.fetch(req, { ...info, remoteAddr: { ...info.remoteAddr, hostname: ip } });
}

/**
 * `tokens`' session cookies as Playwright's `addCookies` takes them, for the test server at `url`: a browser
 * context signed in the way the sign-in response would leave it.
 */
export function sessionCookiesFor(
  tokens: { accessToken: string; refreshToken: string },
  url: string,
): { name: string; value: string; url: string }[] {
  return sessionCookies(false, tokens).map((cookie) => {
    const pair = cookie.split(";")[0];
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url };
  });
}

/** Serves `fetch` on a random local port for the duration of `fn`, with the production listener. */
export async function withServer<T>(fetch: ServeHandler, fn: (origin: string) => Promise<T>): Promise<T> {
  const server = await listen({ port: 0, hostname: "127.0.0.1" }, fetch);
  try {
    return await fn(`http://127.0.0.1:${server.port}`);
  } finally {
    await server.shutdown(1000);
  }
}

/** Asserts that `page` has nothing wider than `width` px: no sideways scroll at that viewport width. */
export async function assertFitsWidth(page: Page, width: number, message: string): Promise<void> {
  assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), message);
}

/** axe-core's violations on `page` as it is now, one line each (rule, help, the elements): [] when clean. */
export async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
