/**
 * Response headers built once and sent many times, with a few values that change per response (a request id):
 * the page cache's hot path (lib/page_cache.ts).
 *
 * Why not simply a Headers object: Deno 2.9's `new Response(body, { headers })` copies a Headers object through
 * its internal "iterable headers" view, and for any Headers that is not immutable (every one code can build)
 * that view is rebuilt on each copy: every name lowercased, duplicates combined, the list sorted. For a page's
 * twenty-odd headers that rebuild, with the `set`s of the per-response values, was the largest part of what a
 * cached hit cost beyond a bare server answering the same bytes (bench/ssr.ts). A template computes the view
 * once and hands the Response an object whose view is that list with this response's values written in.
 *
 * That leans on Deno's internals, so it is checked when this module loads: a probe Response must come out
 * with exactly the headers given. Where the check fails (another Deno), templates use a Headers object with
 * the values `set`, as before: slower, never different.
 */

/** A header name and its value. */
export type HeaderPair = readonly [name: string, value: string];

/** Deno's private key of a Headers object's sorted, lowercased view (undefined elsewhere). */
const VIEW = Object.getOwnPropertySymbols(Headers.prototype).find((s) =>
  s.description === "iterable headers"
);

function viewOf(pairs: [string, string][]): Headers {
  return Object.create(Headers.prototype, { [VIEW!]: { value: pairs } });
}

/** Whether a Response takes a view object's list as its headers (checked once; the fast way when true). */
export const VIEWS_WORK = (() => {
  if (!VIEW) return false;
  try {
    const res = new Response(null, { headers: viewOf([["x-a", "1"], ["x-b", "2 3"]]) });
    return JSON.stringify([...res.headers]) === '[["x-a","1"],["x-b","2 3"]]';
  } catch {
    return false;
  }
})();

/**
 * A value `Headers.set` would keep as it is (visible ASCII, inner spaces, nothing to trim): only such values
 * are written into the view directly; any other takes the checked way, which normalizes or throws as before.
 */
const PLAIN_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

/** Fixed headers plus per-response values for `names` (lowercase), set over fixed ones of the same name. */
export class HeaderTemplate {
  readonly names: readonly string[];
  /** The fixed headers (a Headers object of its own: never the one `with` returns). */
  readonly fixed: Headers;
  /** The view with a slot for each of `names`, and the object that carries it (null: views do not work). */
  readonly #pairs: [string, string][] | null = null;
  readonly #slots: number[] = [];
  readonly #view: Headers | null = null;
  #scratch: Headers | null = null;

  constructor(fixed: HeadersInit, names: readonly string[] = []) {
    this.names = names.map((name) => name.toLowerCase());
    this.fixed = new Headers(fixed);
    if (!VIEWS_WORK) return;
    const withSlots = new Headers(this.fixed);
    for (const name of this.names) withSlots.set(name, "");
    this.#pairs = [...withSlots].map(([name, value]) => [name, value]);
    this.#slots = this.names.map((name) => this.#pairs!.findIndex(([n]) => n === name));
    this.#view = viewOf(this.#pairs);
  }

  /** Whether `values` are for this template's names, in its order. */
  fits(values: readonly HeaderPair[]): boolean {
    if (values.length !== this.names.length) return false;
    for (let i = 0; i < values.length; i++) if (values[i][0] !== this.names[i]) return false;
    return true;
  }

  /**
   * The headers with `values` (one per name, in order: see `fits`), for `new Response` right away: the object
   * is the same on every call, and the next call writes its own values into it.
   */
  with(values: readonly HeaderPair[] = []): Headers {
    if (this.#view && this.#plain(values)) {
      for (let i = 0; i < values.length; i++) this.#pairs![this.#slots[i]][1] = values[i][1];
      return this.#view;
    }
    if (!values.length) return this.fixed;
    const scratch = this.#scratch ??= new Headers(this.fixed);
    for (const [name, value] of values) scratch.set(name, value);
    return scratch;
  }

  #plain(values: readonly HeaderPair[]): boolean {
    for (let i = 0; i < values.length; i++) if (!PLAIN_VALUE.test(values[i][1])) return false;
    return true;
  }
}
