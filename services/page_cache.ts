import type { Bus } from "./bus/bus.ts";

/** Bus channel on which every process drops cached pages by tag. */
export const PAGE_CACHE_CHANNEL = "pages.invalidate";

/** Cache tags of public pages; a service that changes the data behind a tag invalidates it. */
type PageTag = "plans" | "site" | "testimonials" | "faq";

/**
 * Tells every process (this one included) to drop cached pages tagged `tags`. Call it after the
 * transaction that changed the data has committed, so no process re-caches the old data.
 */
export async function invalidatePages(bus: Bus, ...tags: PageTag[]): Promise<void> {
  await bus.publish(PAGE_CACHE_CHANNEL, { tags });
}
