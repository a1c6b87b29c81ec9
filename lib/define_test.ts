import assert from "node:assert/strict";
import { loadRoutes } from "./app/route_tree.ts";
import { checkDeclaredAccess, type Context, createDefine, type HandlerByMethod, page } from "./define.ts";

type User = { id: string; role: "trader" | "support" | "admin" };
type State = { user: User | null; other: number };
const define = createDefine<State>();

function ctxFor(user: User | null): Context<State> {
  return {
    state: { user, other: 1 },
    route: { pattern: "/p", methods: [], module: {} },
  } as unknown as Context<
    State
  >;
}

Deno.test("define.handlers types: { access } narrows ctx.state.user; without it, or when public, it stays nullable", () => {
  // Compile-time checks (deno check): a wrong narrowing fails type checking, not this test's assertions.
  define.handlers({
    GET(ctx) {
      // @ts-expect-error no access rule given: the user may be anonymous
      const _user: User = ctx.state.user;
      return new Response();
    },
  });
  define.handlers({
    GET(ctx) {
      const _user: User = ctx.state.user;
      const _other: number = ctx.state.other;
      return page({ id: ctx.state.user.id });
    },
  }, { access: "authenticated" });
  const staff = ["support", "admin"] as const;
  define.handlers({
    GET(ctx) {
      const _role: "support" | "admin" = ctx.state.user.role;
      return new Response();
    },
  }, { access: staff });
  define.handlers({
    GET(ctx) {
      // @ts-expect-error a public route may be called anonymously
      const _user: User = ctx.state.user;
      return new Response();
    },
  }, { access: "public" });
  const access = "authenticated";
  const withData = define.handlers<{ n: number }, typeof access>({
    GET(ctx) {
      return page({ n: ctx.state.user.id.length });
    },
  }, { access });
  const Page = define.page<typeof withData>(({ data }) => {
    const _n: number = data.n;
    return null;
  });
  assert.equal(typeof Page, "function");
  // @ts-expect-error with the data type given, the rule's type must be given too (it would default to public)
  define.handlers<{ n: number }>({ GET: () => page({ n: 1 }) }, { access });
});

Deno.test("define.handlers: a narrowed handler never runs for a user its rule does not admit", async () => {
  const calls: string[] = [];
  const narrowed = define.handlers({
    GET(ctx) {
      calls.push(ctx.state.user.id);
      return new Response();
    },
  }, { access: ["admin"] });
  const handler = narrowed as HandlerByMethod<unknown, State>;
  await handler.GET!(ctxFor({ id: "a", role: "admin" }));
  assert.deepEqual(calls, ["a"]);
  assert.throws(() => handler.GET!(ctxFor(null)), /reached without an admitted user/);
  assert.throws(() => handler.GET!(ctxFor({ id: "t", role: "trader" })), /reached without an admitted user/);
  assert.deepEqual(calls, ["a"]);
});

Deno.test("checkDeclaredAccess: a narrowed handler needs the module to export the same access", () => {
  const access = ["support", "admin"];
  const handler = define.handlers({ GET: () => new Response() }, { access });
  checkDeclaredAccess("/ok", { access, handler });
  // A rule spelled again (rolesWith(…) twice) is the same rule.
  checkDeclaredAccess("/ok", { access: ["support", "admin"], handler });
  // Handlers without a rule, and modules without a handler, are not this check's business.
  checkDeclaredAccess("/plain", { handler: define.handlers({ GET: () => new Response() }) });
  checkDeclaredAccess("/page-only", { access: "authenticated" });
  assert.throws(
    () => checkDeclaredAccess("/missing", { handler }),
    /\/missing: the handler is typed for access \["support","admin"\], but the module exports access undefined/,
  );
  assert.throws(() => checkDeclaredAccess("/other", { access: "authenticated", handler }), /\/other/);
});

Deno.test("the route tree refuses to load a module whose narrowed handler lacks the exported access", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const define = new URL("./define.ts", import.meta.url).href;
    const route = (exportAccess: boolean) =>
      `import { createDefine } from "${define}";\n` +
      `${exportAccess ? "export " : ""}const access = "authenticated";\n` +
      `export const handler = createDefine().handlers({ GET: () => new Response("ok") }, { access });\n`;
    await Deno.writeTextFile(`${dir}/guarded.ts`, route(true));
    const loaded = await loadRoutes(dir);
    assert.deepEqual(loaded.routes.map((r) => r.info.pattern), ["/guarded"]);

    await Deno.writeTextFile(`${dir}/unguarded.ts`, route(false));
    await assert.rejects(
      () => loadRoutes(dir),
      /\/unguarded: the handler is typed for access "authenticated"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
