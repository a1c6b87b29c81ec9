import { define } from "../_define.ts";
import { defineApi } from "../../lib/api.ts";
import { renderApiDocs } from "../../lib/api_docs.ts";
import { apiDocument } from "./(_docs)/document.ts";
import { pageCsp } from "../../lib/security_headers.ts";

export const api = defineApi({
  GET: {
    summary: "Readable API reference (HTML, works offline)",
    tags: ["meta"],
    access: "public",
    responses: { 200: { description: "HTML page" } },
  },
});

export const handler = define.handlers({
  GET(ctx) {
    const html = renderApiDocs(apiDocument(ctx), {
      specUrl: "/api/openapi.json",
      stylesheets: [...ctx.stylesheets],
    });
    return new Response(html, {
      headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": pageCsp(null) },
    });
  },
});
