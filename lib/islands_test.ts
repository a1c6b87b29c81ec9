import assert from "node:assert/strict";
import { join } from "node:path";
import { discoverIslands } from "./islands.ts";

Deno.test("islands are the files directly under islands/ and in (_islands) folders, not shared modules below", async () => {
  const root = await Deno.makeTempDir();
  try {
    const write = async (path: string) => {
      await Deno.mkdir(join(root, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(root, path), "export default function X() { return null; }\n");
    };
    await write("islands/bell.tsx");
    await write("islands/bell_test.tsx");
    await write("islands/live/user_stream.ts");
    await write("routes/dashboard/(_islands)/chart.tsx");
    const found = await discoverIslands(root, ["islands"], "routes");
    assert.deepEqual(found.map((i) => i.base).sort(), ["Bell", "Chart"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
