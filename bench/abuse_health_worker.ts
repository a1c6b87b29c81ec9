/**
 * The `/healthz` poller of the abuse benchmark, in its own thread: the flooding clients keep the main
 * thread's event loop busy, and their delays must not be counted as the server's.
 * Messages in: `{port, everyMs}` starts, `"stop"` ends; out: the ascending latencies in ms.
 */
import { pollHealth } from "./abuse_http.ts";

let poll: ReturnType<typeof pollHealth> | null = null;

self.onmessage = async (event: MessageEvent) => {
  if (event.data === "stop") {
    self.postMessage(poll ? await poll.stop() : []);
    poll = null;
  } else {
    poll = pollHealth(event.data.port, event.data.everyMs);
  }
};
