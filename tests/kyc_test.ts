/**
 * KYC end to end through the API (issue #12, DESIGN §3.3) against the real services: uploads typed by
 * content and encrypted before storage (S3 via s3rver, and disk), signed per-viewer links that expire,
 * audited views, another trader's document 404, the review queue and decisions that activate funded accounts.
 */
import assert from "node:assert/strict";
import { openTestApp, type TestApp } from "./helpers/app.ts";
import { client, makeStaff, signUp } from "./helpers/client.ts";
import { htmlAsPng, pdfBytes, pngBytes, uploadDocument } from "./helpers/kyc.ts";
import { createStore } from "../services/storage/mod.ts";
import { S3RVER_CREDENTIALS, startS3rver } from "../services/storage/testing.ts";
import { listDocuments, viewDocument } from "../services/kyc/documents.ts";
import { kycStatus } from "../services/kyc/status.ts";
import { HttpError } from "../lib/errors.ts";

const MARKER = "PLAINTEXT-MARKER";

function pathOf(url: string): string {
  assert.match(url, /^\/api\/kyc\/documents\/[0-9a-f-]{36}\/file\?expires=\d+&sig=[0-9a-f]{64}$/);
  return url;
}

async function auditCount(t: TestApp, action: string, targetId: string, actorId: string): Promise<number> {
  const [{ count }] = await t.deps.db.sql<{ count: number }[]>`
    select count(*)::int as count from audit_log
    where action = ${action} and target_id = ${targetId} and actor_id = ${actorId}`;
  return count;
}

Deno.test("kyc over S3: encrypted at rest, typed by content, signed per-viewer links, audited views", async (t) => {
  const s3 = await startS3rver("kyc");
  const s3Options = { endpoint: s3.endpoint, bucket: s3.bucket, ...S3RVER_CREDENTIALS };
  const store = createStore({
    s3: s3Options,
    dataDir: "unused",
    appUrl: "http://localhost:8000",
    signingSecret: "x".repeat(32),
  });
  const testApp = await openTestApp({ store });
  const { app, deps } = testApp;
  try {
    const a = await signUp(app);
    const b = await signUp(app);
    const support = { ...await makeStaff(deps, "support"), client: client(app) };

    await t.step("a renamed HTML file is refused (422) and nothing is stored", async () => {
      const res = await uploadDocument(a.client, a.accessToken, "identity_front", htmlAsPng());
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), "application/json");
      const { error } = await res.json();
      // The message is what the upload form shows a person: a sentence, not "Invalid input: file must be…".
      assert.equal(error.message, "The file must be a JPEG, PNG or PDF file (recognised by its content).");
      assert.deepEqual(error.fields, { file: "must be a JPEG, PNG or PDF file (recognised by its content)" });
      assert.deepEqual(await store.list(`kyc/${a.userId}/`), []);
    });

    let docId = "";
    await t.step(
      "a PNG uploads; the object in S3 is ciphertext with the key id, not the plaintext",
      async () => {
        const res = await uploadDocument(
          a.client,
          a.accessToken,
          "identity_front",
          new File([pngBytes()], "id.png"),
        );
        assert.equal(res.status, 201, await res.clone().text());
        const doc = await res.json();
        docId = doc.id;
        assert.equal(doc.contentType, "image/png");
        const [row] = await deps.db.sql<{ storage_key: string; key_id: string }[]>`
        select storage_key, key_id from kyc_documents where id = ${docId}`;
        // Read the raw object back from the S3 server with a plain signed GET, outside the app's decryption.
        const raw = await store.get(row.storage_key);
        assert.ok(raw);
        const text = new TextDecoder("latin1").decode(raw.body);
        assert.ok(!text.includes(MARKER), "the stored bytes contain the plaintext");
        assert.ok(!text.startsWith("\x89PNG"), "the stored bytes start like the PNG");
        assert.ok(text.startsWith("PTE1") && text.includes(row.key_id), "header names the key id");
      },
    );

    await t.step(
      "the owner's signed link serves the decrypted bytes inertly, and the view is audited",
      async () => {
        const overview = await (await a.client.json("GET", "/api/kyc", undefined, { bearer: a.accessToken }))
          .json();
        assert.equal(overview.status, "none");
        assert.deepEqual(overview.missing, ["proof_of_address"]);
        const url = overview.drafts[0].url;
        const before = await auditCount(testApp, "kyc.document_viewed", docId, a.userId);
        const res = await a.client.request(pathOf(url), {
          headers: { authorization: `Bearer ${a.accessToken}` },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "image/png");
        assert.equal(res.headers.get("x-content-type-options"), "nosniff");
        assert.match(res.headers.get("content-security-policy") ?? "", /sandbox/);
        assert.deepEqual(new Uint8Array(await res.arrayBuffer()), pngBytes());
        assert.equal(await auditCount(testApp, "kyc.document_viewed", docId, a.userId), before + 1);
      },
    );

    await t.step(
      "another trader gets 404: with the owner's link, and for the id; the refusal is audited",
      async () => {
        const [ownLink] = await listDocuments(deps, { id: a.userId, role: "trader" }, a.userId, null);
        const res = await b.client.request(pathOf(ownLink.url), {
          headers: { authorization: `Bearer ${b.accessToken}` },
        });
        assert.equal(res.status, 404);
        assert.match(await res.text(), /"code":"not_found"/);
        // A link minted for B (as if B had guessed the id) is refused too: B is not the owner.
        const [forB] = await listDocuments(deps, { id: b.userId, role: "trader" }, a.userId, null);
        const again = await b.client.request(pathOf(forB.url), {
          headers: { authorization: `Bearer ${b.accessToken}` },
        });
        assert.equal(again.status, 404);
        await again.body?.cancel();
        assert.ok(await auditCount(testApp, "authz.denied", docId, b.userId) >= 2);
        assert.equal(await auditCount(testApp, "kyc.document_viewed", docId, b.userId), 0);
        const anonymous = await b.client.request(pathOf(ownLink.url));
        assert.equal(anonymous.status, 401);
        await anonymous.body?.cancel();
      },
    );

    await t.step("a signed link expires (403), and a tampered one is 404", async () => {
      const past = new Date(Date.now() - 301_000);
      const [old] = await listDocuments(deps, { id: a.userId, role: "trader" }, a.userId, null, past);
      const res = await a.client.request(pathOf(old.url), {
        headers: { authorization: `Bearer ${a.accessToken}` },
      });
      assert.equal(res.status, 403);
      assert.match(await res.text(), /expired/);
      const [fresh] = await listDocuments(deps, { id: a.userId, role: "trader" }, a.userId, null);
      const tampered = fresh.url.replace(/sig=([0-9a-f])/, (_, c) => `sig=${c === "0" ? "1" : "0"}`);
      const bad = await a.client.request(pathOf(tampered), {
        headers: { authorization: `Bearer ${a.accessToken}` },
      });
      assert.equal(bad.status, 404);
      await bad.body?.cancel();
      // The service's own clock check, at the link's edge.
      const expires = new URL(fresh.url, "http://localhost").searchParams.get("expires")!;
      const sig = new URL(fresh.url, "http://localhost").searchParams.get("sig")!;
      const actor = { userId: a.userId, ip: null, userAgent: null };
      await assert.rejects(
        () =>
          viewDocument(
            deps,
            { id: a.userId, role: "trader", actor },
            docId,
            { expires, sig },
            new Date((Number(expires) + 1) * 1000),
          ),
        (e: unknown) => e instanceof HttpError && e.status === 403,
      );
    });

    await t.step(
      "submit needs proof of address; then staff see it and each staff view is audited",
      async () => {
        const early = await a.client.json("POST", "/api/kyc/submit", undefined, { bearer: a.accessToken });
        assert.equal(early.status, 422);
        assert.match(await early.text(), /proof_of_address/);
        const pdf = await uploadDocument(
          a.client,
          a.accessToken,
          "proof_of_address",
          new File([pdfBytes()], "bill.pdf"),
        );
        assert.equal(pdf.status, 201);
        await pdf.body?.cancel();
        const submitted = await a.client.json("POST", "/api/kyc/submit", undefined, {
          bearer: a.accessToken,
        });
        assert.equal(submitted.status, 201);
        assert.equal((await submitted.json()).status, "submitted");
        assert.equal(await kycStatus(deps.db.sql, a.userId), "submitted");
        const locked = await uploadDocument(
          a.client,
          a.accessToken,
          "identity_back",
          new File([pngBytes()], "b.png"),
        );
        assert.equal(locked.status, 409);
        await locked.body?.cancel();

        const queue = await (await support.client.json("GET", "/api/admin/kyc", undefined, {
          bearer: support.accessToken,
        })).json();
        const entry = queue.queue.find((q: { user: { id: string } }) => q.user.id === a.userId);
        assert.ok(entry);
        assert.deepEqual(entry.documents.map((d: { kind: string }) => d.kind).sort(), [
          "identity_front",
          "proof_of_address",
        ]);
        const id = entry.documents.find((d: { kind: string }) => d.kind === "identity_front");
        const view = await support.client.request(pathOf(id.url), {
          headers: { authorization: `Bearer ${support.accessToken}` },
        });
        assert.equal(view.status, 200);
        assert.deepEqual(new Uint8Array(await view.arrayBuffer()), pngBytes());
        assert.equal(await auditCount(testApp, "kyc.document_viewed", docId, support.userId), 1);
        // The trader's link does not work for staff either: links are bound to who they were issued to.
        const [traderLink] = await listDocuments(deps, { id: a.userId, role: "trader" }, a.userId, entry.id);
        const borrowed = await support.client.request(pathOf(traderLink.url), {
          headers: { authorization: `Bearer ${support.accessToken}` },
        });
        assert.equal(borrowed.status, 404);
        await borrowed.body?.cancel();
      },
    );
  } finally {
    await testApp.close();
    await s3.close();
  }
});
