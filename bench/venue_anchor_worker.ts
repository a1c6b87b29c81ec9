/**
 * bench:venue's worker anchor (bench/venue_probes.ts `workerAnchor`): bare writes (bench/venue_anchor.ts) on a
 * connection of its own, from an event loop of its own, until told to stop; then posts every sample back.
 */
import { openDb } from "../db/client.ts";
import { anchorWrite } from "./venue_anchor.ts";

let stopped = false;
self.onmessage = async (e: MessageEvent) => {
  if (e.data === "stop") {
    stopped = true;
    return;
  }
  const { url, schema, gapMs } = e.data as { url: string; schema: string; gapMs: number };
  const db = await openDb({ url, schema, poolMax: 1 });
  const samples = [];
  try {
    while (!stopped) {
      const at = Date.now();
      samples.push({ at, ...await anchorWrite(db) });
      await new Promise((r) => setTimeout(r, gapMs));
    }
  } finally {
    await db.close();
  }
  self.postMessage(samples);
};
