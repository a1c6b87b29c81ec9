import { define } from "../_define.ts";
import { serveSignedObject } from "../../services/storage/mod.ts";

/** Signed, short-lived downloads of documents kept on disk (embedded mode); S3 serves its own signed URLs. */
export const handler = define.handlers({
  GET(ctx) {
    const { store, config } = ctx.state.deps;
    return serveSignedObject(store, config.jwtSecret, ctx.req);
  },
});
