import { define } from "../_define.ts";
import { defineApi } from "../../lib/api.ts";
import { apiDocument } from "./(_docs)/document.ts";

export const api = defineApi({
  GET: {
    summary: "This API's OpenAPI 3.1 description",
    tags: ["meta"],
    access: "public",
    responses: { 200: { description: "OpenAPI document" } },
  },
});

export const handler = define.handlers({
  GET(ctx) {
    return Response.json(apiDocument(ctx), { headers: { "cache-control": "public, max-age=300" } });
  },
});
