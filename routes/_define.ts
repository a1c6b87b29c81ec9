import { createDefine } from "../lib/define.ts";
import type { Deps } from "../services/deps.ts";

/** The one per-request state every route, layout and middleware sees. */
export interface State {
  deps: Deps;
  /** Page title and description, set by handlers; `_app` writes them into `<head>`. */
  meta: { title: string; description: string };
}

export const define = createDefine<State>();

/** Sets the page's `<title>` (suffixed with the brand) and meta description. */
export function setMeta(state: State, title: string, description: string): void {
  state.meta = { title: `${title} · PropTrade Pro`, description };
}
