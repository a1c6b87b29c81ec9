/**
 * A JSON document written as a stream: an object whose members are either small values or arrays whose
 * items arrive from an async source (database pages). Memory holds one page and one output chunk, never the
 * document, and the stream pulls the next page only when the reader wants more (backpressure), so a slow
 * download does not make the server read ahead.
 */

/** One member of the top-level object. */
export type Member =
  | { name: string; value: () => Promise<unknown> | unknown }
  | { name: string; items: () => AsyncIterable<unknown> };

/** Output chunks are flushed at about this size. */
const CHUNK_CHARS = 64 * 1024;

/** The document `{ name: value, name: [item, …], … }` as UTF-8 bytes, members in the given order. */
export function jsonObjectStream(members: readonly Member[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const chunks = render(members);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  }, { highWaterMark: 1 });
}

async function* render(members: readonly Member[]): AsyncGenerator<string, void, undefined> {
  let buffer = "{";
  for (const [i, member] of members.entries()) {
    buffer += `${i ? "," : ""}\n${JSON.stringify(member.name)}:`;
    if ("value" in member) {
      buffer += JSON.stringify(await member.value() ?? null);
    } else {
      buffer += "[";
      let first = true;
      for await (const item of member.items()) {
        buffer += (first ? "\n" : ",\n") + JSON.stringify(item);
        first = false;
        if (buffer.length >= CHUNK_CHARS) {
          yield buffer;
          buffer = "";
        }
      }
      buffer += "]";
    }
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = "";
    }
  }
  yield buffer + "\n}\n";
}

/**
 * Every row of a keyset-paged query: `fetch(after)` returns the page after the row `after` (null: the first
 * page), at most `size` rows; paging stops at a short page. Columns named `_…` are the keyset's own: they reach
 * the next `fetch` but not the output. Select instants for the keyset as text and compare them as text cast in
 * SQL (`at::text as _at` … `${after._at}::text::timestamptz`): a JS `Date` keeps milliseconds, PostgreSQL
 * microseconds, and postgres.js serialises a timestamptz parameter through `Date` even when given a string, so
 * either would repeat the row at each page boundary.
 *
 * @example
 * pages((after) => sql`select id, at, at::text as _at … where (at, id) > (${after?._at}::text::timestamptz, …)`, 1000)
 */
export async function* pages<T extends Record<string, unknown>>(
  fetch: (after: T | null) => Promise<readonly T[]>,
  size: number,
): AsyncGenerator<Record<string, unknown>, void, undefined> {
  let after: T | null = null;
  while (true) {
    const rows = await fetch(after);
    for (const row of rows) yield withoutKeys(row);
    if (rows.length < size) return;
    after = rows[rows.length - 1];
  }
}

function withoutKeys(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith("_")) out[k] = v;
  return out;
}
