/**
 * The KYC decision path through the API: reject with a reason (audited, mailed, shown to the trader),
 * resubmit, approve → the trader's pending_kyc funded account turns active in the same transaction and the
 * change is published. Plus: documents on the disk store are ciphertext, and racing reviewers cannot both win.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, makeStaff, signUp } from "./helpers/client.ts";
import { pdfBytes, pngBytes, uploadDocument } from "./helpers/kyc.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { accountChannel } from "../services/accounts/change_log.ts";
import { kycStatus } from "../services/kyc/status.ts";

Deno.test("kyc review: reject with a reason, resubmit, approve activates the funded account", async (t) => {
  const testApp = await openTestApp();
  const { app, deps, inbox } = testApp;
  try {
    const trader = await signUp(app, { firstName: "Jane" });
    const support = { ...await makeStaff(deps, "support"), client: client(app) };
    const admin = { ...await makeStaff(deps, "admin"), client: client(app) };
    const risk = { ...await makeStaff(deps, "risk"), client: client(app) };
    const funded = await openTestAccount(deps.db, trader.userId, { stage: "funded" });
    const other = await openTestAccount(deps.db, trader.userId, { stage: 0 });
    const bearer = trader.accessToken;
    const upload = async () => {
      for (
        const [kind, file] of [
          ["identity_front", new File([pngBytes()], "front.png")],
          ["proof_of_address", new File([pdfBytes()], "bill.pdf")],
        ] as const
      ) {
        const res = await uploadDocument(trader.client, bearer, kind, file);
        assert.equal(res.status, 201, await res.clone().text());
        await res.body?.cancel();
      }
      const submitted = await trader.client.json("POST", "/api/kyc/submit", undefined, { bearer });
      assert.equal(submitted.status, 201);
      return (await submitted.json()).id as string;
    };

    await t.step("on the disk store the document file is ciphertext", async () => {
      const res = await uploadDocument(
        trader.client,
        bearer,
        "identity_back",
        new File([pngBytes()], "b.png"),
      );
      assert.equal(res.status, 201);
      const { id } = await res.json();
      const [{ storage_key }] = await deps.db.sql`select storage_key from kyc_documents where id = ${id}`;
      const raw = await Deno.readFile(`${deps.config.dataDir}/objects/data/${storage_key}`);
      const text = new TextDecoder("latin1").decode(raw);
      assert.ok(text.startsWith("PTE1"));
      assert.ok(!text.includes("PLAINTEXT-MARKER"));
    });

    let first = "";
    await t.step(
      "a rejection needs a reason; risk may not decide; support rejects, mailed and shown",
      async () => {
        first = await upload();
        const path = `/api/admin/kyc/${first}`;
        const noReason = await support.client.json("PUT", path, { action: "reject" }, {
          bearer: support.accessToken,
        });
        assert.equal(noReason.status, 422);
        await noReason.body?.cancel();
        const byRisk = await risk.client.json("PUT", path, { action: "approve" }, {
          bearer: risk.accessToken,
        });
        assert.equal(byRisk.status, 403);
        await byRisk.body?.cancel();
        const reason = "The photo of your ID is blurred; please upload a sharp one.";
        const res = await support.client.json("PUT", path, { action: "reject", reason }, {
          bearer: support.accessToken,
        });
        assert.equal(res.status, 200, await res.clone().text());
        assert.equal((await res.json()).status, "rejected");
        await deps.background.settled();
        const mail = inbox.latestTo(trader.email);
        assert.match(mail.subject, /could not verify/);
        assert.ok(mail.text.includes(reason));
        const overview = await (await trader.client.json("GET", "/api/kyc", undefined, { bearer })).json();
        assert.equal(overview.status, "rejected");
        assert.equal(overview.submission.reason, reason);
        assert.equal(overview.canUpload, true);
        const [audit] = await deps.db.sql`
        select actor_id, details from audit_log where action = 'admin.kyc_rejected' and target_id = ${first}`;
        assert.equal(audit.actor_id, support.userId);
        assert.equal(audit.details.reason, reason);
        const [account] = await deps.db.sql`select status from accounts where id = ${funded.accountId}`;
        assert.equal(account.status, "pending_kyc");
        const again = await support.client.json("PUT", path, { action: "approve" }, {
          bearer: support.accessToken,
        });
        assert.equal(again.status, 409, "a decided submission cannot be decided again");
        await again.body?.cancel();
      },
    );

    await t.step(
      "resubmitted and approved: the funded account turns active, published and audited",
      async () => {
        const second = await upload();
        assert.notEqual(second, first);
        const queue =
          await (await admin.client.json("GET", "/api/admin/kyc", undefined, { bearer: admin.accessToken }))
            .json();
        const mine = queue.queue.filter((q: { user: { id: string } }) => q.user.id === trader.userId);
        assert.equal(mine.length, 1);
        assert.equal(mine[0].user.previousRejections.length, 1);
        const changes: unknown[] = [];
        const stop = await deps.bus.subscribe(accountChannel(funded.accountId), (c) => void changes.push(c));
        try {
          const res = await admin.client.json("PUT", `/api/admin/kyc/${second}`, { action: "approve" }, {
            bearer: admin.accessToken,
          });
          assert.equal(res.status, 200, await res.clone().text());
          const body = await res.json();
          assert.equal(body.status, "approved");
          assert.deepEqual(body.activatedAccounts, [funded.accountId]);
          for (let i = 0; i < 50 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        } finally {
          await stop();
        }
        const [account] = await deps.db.sql`select status from accounts where id = ${funded.accountId}`;
        assert.equal(account.status, "active");
        const [untouched] = await deps.db.sql`select status from accounts where id = ${other.accountId}`;
        assert.notEqual(untouched.status, "pending_kyc");
        assert.equal(changes.length, 1, "the activation was published on the account's channel");
        assert.equal((changes[0] as { account: { status: string } }).account.status, "active");
        assert.equal(await kycStatus(deps.db.sql, trader.userId), "approved");
        await deps.background.settled();
        assert.match(inbox.latestTo(trader.email).text, /funded account is now active/);
        const [audit] = await deps.db.sql`
        select details from audit_log where action = 'admin.kyc_approved' and target_id = ${second}`;
        assert.deepEqual(audit.details.activatedAccounts, [funded.accountId]);
      },
    );
  } finally {
    await testApp.close();
  }
});
