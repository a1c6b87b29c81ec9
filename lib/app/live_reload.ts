/** Development only: pages reload themselves once the dev server has restarted with a new build. */
import { BUILD_URL_PREFIX } from "../build_manifest.ts";

/** Where pages listen for the build id of the running server. */
export const LIVE_RELOAD_PATH = `${BUILD_URL_PREFIX}alive`;

/** The script appended to every page: reloads when the server answers with another build id. */
export function liveReloadScript(buildId: string): string {
  return `const es=new EventSource("${LIVE_RELOAD_PATH}");` +
    `es.onmessage=(e)=>{if(e.data!==${JSON.stringify(buildId)})location.reload()};`;
}

/** The event stream behind LIVE_RELOAD_PATH: the build id once, then a ping that keeps proxies from closing it. */
export function liveReloadStream(buildId: string): Response {
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const enc = new TextEncoder();
      controller.enqueue(enc.encode(`retry: 500\ndata: ${buildId}\n\n`));
      timer = setInterval(() => controller.enqueue(enc.encode(": ping\n\n")), 15_000);
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
  });
}
