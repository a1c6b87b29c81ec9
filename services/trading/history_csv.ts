/**
 * The trade history as CSV (RFC 4180): every row matching the filters, streamed page by page so a million
 * trades never sit in memory, CRLF line ends, fields quoted when they hold a comma, quote or line break.
 *
 * Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some read a leading
 * tab or CR the same way). Symbols and trade ids come from outside connectors, so such cells get a leading
 * `'`. Plain decimal numbers we print ourselves ("-300.00") are left as they are: they are numbers, never
 * formulas, and a quote would turn every loss into text.
 */
import type { Sql } from "../../db/client.ts";
import { type HistoryFilters, type HistoryItem, historyRows, type HistoryScope } from "./history.ts";

export const CSV_COLUMNS = [
  "id",
  "tradeId",
  "accountId",
  "symbol",
  "direction",
  "volume",
  "entryPrice",
  "exitPrice",
  "pnl",
  "currency",
  "status",
  "openedAt",
  "closedAt",
] as const satisfies readonly (keyof HistoryItem)[];

const NUMBER = /^-?\d+(\.\d+)?$/;

/** One CSV field: formula-guarded, then quoted if it needs to be. */
export function csvField(value: string | null): string {
  let v = value ?? "";
  if (/^[=+\-@\t\r]/.test(v) && !NUMBER.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(values: readonly (string | null)[]): string {
  return values.map(csvField).join(",") + "\r\n";
}

/** The CSV body: a header line, then one line per row, newest first. */
export function historyCsv(
  sql: Sql,
  scope: HistoryScope,
  filters: HistoryFilters,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const rows = historyRows(sql, scope, filters);
  let header = true;
  return new ReadableStream({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode(csvLine(CSV_COLUMNS)));
        return;
      }
      // A few hundred lines per chunk: fewer, larger writes than one per row.
      let chunk = "";
      for (let i = 0; i < 500; i++) {
        const next = await rows.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += csvLine(CSV_COLUMNS.map((c) => next.value[c] as string | null));
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}
