import assert from "node:assert/strict";
import { CONFIG_VARIABLES } from "./config.ts";

// The README's configuration table is the operator's reference: every variable the schema reads is in it,
// and it lists none the schema does not read.
Deno.test("the README's configuration table lists exactly the variables of the config schema", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("\n## Configuration\n"), readme.indexOf("\n## Architecture\n"));
  const documented = section.split("\n")
    .filter((line) => /^\| `[A-Z]/.test(line))
    .flatMap((line) => [...line.split("|")[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), [...CONFIG_VARIABLES].sort());
});
