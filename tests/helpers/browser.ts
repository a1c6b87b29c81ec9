import { type Browser, chromium } from "playwright-core";
import { hasBinary, skipUnless, testEnv } from "./env.ts";

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

/** Serves `fetch` on a random local port for the duration of `fn`. */
export async function withServer<T>(
  fetch: (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>,
  fn: (origin: string) => Promise<T>,
): Promise<T> {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, fetch);
  try {
    return await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}
