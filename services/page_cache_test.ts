import assert from "node:assert/strict";
import type { Bus } from "./bus/bus.ts";
import { followInvalidations, invalidatePages } from "./page_cache.ts";

/** A broker that answers a publish at once and delivers it only when told (as Redis does, a round trip on). */
function lateBus() {
  const handlers: ((message: unknown) => void)[] = [];
  const queued: unknown[] = [];
  const bus = {
    publish: (_channel: string, message: unknown) => {
      queued.push(message);
      return Promise.resolve();
    },
    subscribe: (_channel: string, handler: (message: unknown) => void) => {
      handlers.push(handler);
      return Promise.resolve(() => {});
    },
  } as unknown as Bus;
  const deliver = () => queued.splice(0).forEach((m) => handlers.forEach((h) => h(m)));
  return { bus, deliver };
}

Deno.test("invalidatePages drops this process's pages at once, before the broker echoes it back", async () => {
  const { bus, deliver } = lateBus();
  const other = lateBus();
  const dropped: string[] = [];
  const elsewhere: string[] = [];
  await followInvalidations(bus, (tag) => dropped.push(tag));
  await followInvalidations(other.bus, (tag) => elsewhere.push(tag));

  await invalidatePages(bus, "faq", "site");
  // The staff member's next request must not get the old page: dropped before any delivery.
  assert.deepEqual(dropped, ["faq", "site"]);
  // The echo (and another process's message) still drops: a page rendered from the old data meanwhile goes.
  deliver();
  assert.deepEqual(dropped, ["faq", "site", "faq", "site"]);
  // An app on another bus is another deployment's: it hears nothing.
  other.deliver();
  assert.deepEqual(elsewhere, []);
});
