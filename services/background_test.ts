import assert from "node:assert/strict";
import { BackgroundTasks } from "./background.ts";

Deno.test("background tasks: run without the caller waiting, failures logged, settled waits for all", async () => {
  const logged: string[] = [];
  const tasks = new BackgroundTasks({ log: (message) => logged.push(message) });
  const done: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  tasks.run("slow", async () => {
    await gate;
    done.push("slow");
  });
  tasks.run("broken", () => Promise.reject(new Error("boom")));
  assert.deepEqual(done, [], "run returns before the task finishes");
  assert.equal(tasks.pending, 2);
  release();
  await tasks.settled();
  assert.deepEqual(done, ["slow"]);
  assert.equal(tasks.pending, 0);
  assert.deepEqual(logged, ['background task "broken" failed:']);
});

Deno.test("background tasks: beyond the limit new tasks are dropped and logged, not queued without bound", async () => {
  const logged: string[] = [];
  const tasks = new BackgroundTasks({ log: (message) => logged.push(message), limit: 1 });
  let ran = 0;
  tasks.run("first", () => Promise.resolve(void ran++));
  tasks.run("second", () => Promise.resolve(void ran++));
  await tasks.settled();
  assert.equal(ran, 1);
  assert.deepEqual(logged, ['background task "second" dropped: 1 already running']);
});
