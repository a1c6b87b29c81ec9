import assert from "node:assert/strict";
import { BufferedLines, flushLogSinks } from "./log_sink.ts";

function recorder() {
  const writes: string[] = [];
  const decoder = new TextDecoder();
  return { writes, writer: { writeSync: (p: Uint8Array) => (writes.push(decoder.decode(p)), p.length) } };
}

Deno.test("log sink: lines wait and leave together in one write, newline-terminated", async () => {
  const { writes, writer } = recorder();
  const sink = new BufferedLines(writer, { flushMs: 30, flushBytes: 1 << 20 });
  sink.write("a");
  sink.write("b");
  assert.equal(writes.length, 0, "nothing written per line");
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(writes, ["a\nb\n"], "one write after flushMs");
  sink.close();
});

Deno.test("log sink: a full buffer is written at once; flushLogSinks writes what waits", () => {
  const { writes, writer } = recorder();
  const sink = new BufferedLines(writer, { flushMs: 60_000, flushBytes: 10 });
  sink.write("12345");
  assert.equal(writes.length, 0);
  sink.write("67890");
  assert.deepEqual(writes, ["12345\n67890\n"]);
  sink.write("tail");
  flushLogSinks();
  assert.deepEqual(writes, ["12345\n67890\n", "tail\n"]);
  sink.close();
});

Deno.test("log sink: a partial write is completed; a writer that fails does not throw", () => {
  const chunks: number[] = [];
  const sink = new BufferedLines({
    writeSync: (p) => (chunks.push(Math.min(3, p.length)), Math.min(3, p.length)),
  });
  sink.write("abcdefg");
  sink.flush();
  assert.equal(chunks.reduce((a, b) => a + b, 0), 8, "all 8 bytes written, 3 at a time");
  const broken = new BufferedLines({
    writeSync: () => {
      throw new Error("EPIPE");
    },
  });
  broken.write("x");
  broken.flush();
  sink.close();
  broken.close();
});

Deno.test("log sink: nothing is lost when the process ends, by Deno.exit or by running out of work", async () => {
  const sink = new URL("./log_sink.ts", import.meta.url).href;
  const log = new URL("./log.ts", import.meta.url).href;
  for (const end of ["", "Deno.exit(0);", "setTimeout(() => {}, 5);"]) {
    const script = `
      import { BufferedLines } from "${sink}";
      import { configureLog, log } from "${log}";
      const lines = new BufferedLines(Deno.stdout, { flushMs: 60_000, flushBytes: 1 << 20 });
      for (let i = 0; i < 100; i++) lines.write("line " + i);
      configureLog({ format: "json" });
      log.info("from the logger");
      ${end}`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script],
      stdout: "piped",
    })
      .output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0);
    assert.equal(text.split("\n").filter((l) => l.startsWith("line ")).length, 100, `${end}: ${text}`);
    assert.match(text, /"msg":"from the logger"/, end);
  }
});
