/**
 * The KYC pages through `app.request()`, as a browser without JavaScript uses them: the trader uploads with
 * the multipart form, submits, reads a rejection's reason; staff review at /admin/kyc.
 */
import assert from "node:assert/strict";
import { textOf } from "./helpers/html.ts";
import { openTestApp } from "./helpers/app.ts";
import { client, makeStaff, signUp } from "./helpers/client.ts";
import { htmlAsPng, pdfBytes, pngBytes } from "./helpers/kyc.ts";
import { cookieFor } from "./helpers/staff_pages.ts";

const ORIGIN = "http://localhost:8000";

Deno.test("kyc pages: upload and submit without JavaScript, staff review, the reason shown", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app, { firstName: "Ada", lastName: "Lovelace" });
    const support = await makeStaff(deps, "support");
    const risk = await makeStaff(deps, "risk");
    const cookie = cookieFor(trader);
    const post = (body: BodyInit, who = cookie, path = "/dashboard/verification") =>
      c.request(path, { method: "POST", headers: { cookie: who, origin: ORIGIN }, body });
    const form = (kind: string, file: File) => {
      const f = new FormData();
      f.set("kind", kind);
      f.set("file", file);
      return f;
    };

    await t.step(
      "OpenAPI describes the upload as multipart with a binary file, and the docs page lists it",
      async () => {
        const spec = await (await c.request("/api/openapi.json")).json();
        const upload = spec.paths["/api/kyc/documents"].post;
        const schema = upload.requestBody.content["multipart/form-data"].schema;
        assert.ok(schema, "multipart/form-data request body");
        assert.equal(upload.requestBody.content["application/json"], undefined);
        assert.ok(spec.paths["/api/admin/kyc/{id}"].put["x-access"].includes("support"));
        const docs = await c.request("/api/docs");
        assert.equal(docs.status, 200);
        assert.match(await docs.text(), /Upload a KYC document/);
      },
    );

    await t.step("the page says what is needed and offers a multipart form", async () => {
      const res = await c.request("/dashboard/verification", { headers: { cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      const html = await res.text();
      assert.match(html, /Identity verification/);
      assert.match(html, /Not started/);
      assert.match(html, /Still needed/);
      assert.match(html, /enctype="multipart\/form-data"/);
      assert.match(html, /Proof of address/);
    });

    await t.step("a renamed HTML file gets an inline error on the page", async () => {
      const res = await post(form("identity_front", htmlAsPng()));
      assert.equal(res.status, 422);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      assert.match(
        textOf(await res.text()),
        /The file must be a JPEG, PNG or PDF file \(recognised by its content\)\./,
      );
    });

    await t.step("uploads redirect back; submitting early names the missing document", async () => {
      const res = await post(form("identity_front", new File([pngBytes()], "front.png")));
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/dashboard/verification?uploaded=identity_front");
      const early = await post(new URLSearchParams({ intent: "submit" }));
      assert.equal(early.status, 422);
      assert.match(textOf(await early.text()), /Proof of address \([^)]*\) must be uploaded first\./);
      // The route admits 10 MB uploads, but a plain form is still capped at the ordinary 64 KB.
      const bloated = await post(new URLSearchParams({ intent: "submit", pad: "x".repeat(100_000) }));
      assert.equal(bloated.status, 413);
      await bloated.body?.cancel();
      const pdf = await post(form("proof_of_address", new File([pdfBytes()], "bill.pdf")));
      assert.equal(pdf.status, 303);
      const submitted = await post(new URLSearchParams({ intent: "submit" }));
      assert.equal(submitted.status, 303);
      const html = await (await c.request("/dashboard/verification?submitted=1", { headers: { cookie } }))
        .text();
      assert.match(html, /Under review/);
      assert.match(html, /Documents in your latest submission/);
    });

    await t.step("staff see the queue with documents beside the profile; a trader gets 404", async () => {
      const res = await c.request("/admin/kyc", { headers: { cookie: cookieFor(support) } });
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /Ada Lovelace/);
      assert.ok(html.includes(trader.email));
      // No document content on the list (an inline image would be fetched, and audited as viewed, on every
      // load): a link per document, opened on purpose, is the view.
      assert.doesNotMatch(html, /<(img|iframe|object|embed)[^>]*\/api\/kyc\/documents\//);
      const links = [...html.matchAll(/<a href="(\/api\/kyc\/documents\/[0-9a-f-]+\/file\?[^"]+)"[^>]*>/g)];
      assert.equal(links.length, 2, "one open link per document");
      for (const [tag] of links) assert.match(tag, /target="_blank"/);
      assert.match(html, /Open image<span class="sr-only">: Identity document — front<\/span>/);
      assert.match(html, /Open PDF<span class="sr-only">: Proof of address<\/span>/);
      assert.match(html, /name="intent" value="reject"/);
      const riskHtml = await (await c.request("/admin/kyc", { headers: { cookie: cookieFor(risk) } })).text();
      assert.match(riskHtml, /Ada Lovelace/);
      assert.doesNotMatch(riskHtml, /name="intent" value="approve"/);
      const traderRes = await c.request("/admin/kyc", { headers: { cookie } });
      assert.equal(traderRes.status, 404);
      await traderRes.body?.cancel();
    });

    await t.step("rejecting without a reason is an inline error; with one, the trader reads it", async () => {
      const [{ id }] = await deps.db.sql`select id from kyc_submissions where user_id = ${trader.userId}`;
      const bare = await post(
        new URLSearchParams({ id, intent: "reject", reason: "" }),
        cookieFor(support),
        "/admin/kyc",
      );
      assert.equal(bare.status, 422);
      assert.match(await bare.text(), /Reason must tell the trader what to fix/);
      const byRisk = await post(
        new URLSearchParams({ id, intent: "approve" }),
        cookieFor(risk),
        "/admin/kyc",
      );
      assert.equal(byRisk.status, 403);
      await byRisk.body?.cancel();
      const reason = "The proof of address is older than 3 months.";
      const res = await post(
        new URLSearchParams({ id, intent: "reject", reason }),
        cookieFor(support),
        "/admin/kyc",
      );
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/admin/kyc?done=rejected");
      const html = await (await c.request("/dashboard/verification", { headers: { cookie } })).text();
      assert.match(html, /Not accepted/);
      assert.ok(html.includes(reason));
      assert.match(html, /Upload new documents/);
    });
  } finally {
    await close();
  }
});
