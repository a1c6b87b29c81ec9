/**
 * Error tracking through `@sentry/deno`, only when `SENTRY_DSN` is set: the SDK is imported then and not
 * otherwise, so a process without a DSN loads none of it. What is sent is masked like a log line
 * (services/log_mask.ts): no cookies, headers or bodies are attached, and emails and credentials in messages
 * and stack traces are masked before an event leaves the process.
 */
import { maskText } from "./log_mask.ts";
import { log } from "./log.ts";

type Sentry = typeof import("@sentry/deno");

let sentry: Sentry | null = null;

/** Starts error tracking when `dsn` is set (once per process); returns whether it is on. */
export async function startErrorTracking(opts: {
  dsn: string | undefined;
  environment: string;
  release?: string;
}): Promise<boolean> {
  if (!opts.dsn || sentry) return !!sentry;
  const sdk = await import("@sentry/deno");
  sdk.init({
    dsn: opts.dsn,
    environment: opts.environment,
    release: opts.release,
    sendDefaultPii: false,
    // Errors only: performance data goes to Prometheus and, if wanted, Deno's OpenTelemetry export.
    tracesSampleRate: 0,
    beforeSend(event) {
      if (event.message) event.message = maskText(event.message);
      for (const ex of event.exception?.values ?? []) {
        if (ex.value) ex.value = maskText(ex.value);
      }
      delete event.request;
      delete event.user;
      return event;
    },
  });
  sentry = sdk;
  log.info("error tracking on", { scope: "errors" });
  return true;
}

/** Reports an unexpected error (a 500) with what identifies its request; a no-op without a DSN. */
export function reportError(
  error: unknown,
  context: { requestId?: string; method?: string; path?: string } = {},
): void {
  sentry?.captureException(error, { tags: { ...context } });
}

/** Waits (at most `timeoutMs`) until reported errors are sent: before the process exits, and in tests. */
export async function flushErrorTracking(timeoutMs = 2000): Promise<void> {
  await sentry?.flush(timeoutMs);
}
