import type { Bus } from "./bus/bus.ts";

/** Bus channel on which every process drops cached pages by tag. */
const PAGE_CACHE_CHANNEL = "pages.invalidate";

/** Cache tags of public pages; a service that changes the data behind a tag invalidates it. */
type PageTag = "plans" | "site" | "testimonials" | "faq";

type DropTag = (tag: string) => void;

/** The caches of this process's apps, by the bus they follow (see {@link followInvalidations}). */
const localCaches = new WeakMap<Bus, Set<DropTag>>();

/**
 * Tells every process (this one included) to drop cached pages tagged `tags`. Call it after the
 * transaction that changed the data has committed, so no process re-caches the old data.
 *
 * This process drops its own pages at once: a broker delivers the message back to its sender a round trip
 * later, and the staff member who just saved would meanwhile be answered the old page. The echo still
 * arrives and drops again whatever a request rendered from the old data in between.
 */
export async function invalidatePages(bus: Bus, ...tags: PageTag[]): Promise<void> {
  for (const drop of localCaches.get(bus) ?? []) for (const tag of tags) drop(tag);
  await bus.publish(PAGE_CACHE_CHANNEL, { tags });
}

/** Makes `drop` follow every invalidation on `bus`: another process's, over the bus; this one's, at once. */
export async function followInvalidations(bus: Bus, drop: DropTag): Promise<void> {
  let drops = localCaches.get(bus);
  if (!drops) localCaches.set(bus, drops = new Set());
  drops.add(drop);
  await bus.subscribe(PAGE_CACHE_CHANNEL, (message) => {
    for (const tag of (message as { tags?: string[] }).tags ?? []) drop(tag);
  });
}
