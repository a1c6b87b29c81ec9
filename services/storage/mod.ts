/**
 * The storage entry point: S3 when configured, otherwise the disk store under `${dataDir}/objects/`
 * (DESIGN §1). Both answer the same `ObjectStore` contract, tested against each in `store_test.ts`.
 *
 * @example
 * const store = createStore({ s3: config.s3, dataDir: "./data", appUrl: config.appUrl, signingSecret });
 * await store.put(`kyc/${user.id}/${crypto.randomUUID()}.pdf`, bytes, { contentType: "application/pdf" });
 * const url = await store.presignGet(key, 300); // after the ownership check, never before
 */
import { DiskStore } from "./disk.ts";
import { type S3Options, S3Store } from "./s3.ts";
import type { ObjectStore } from "./store.ts";

export type { ObjectStore } from "./store.ts";
export { serveSignedObject } from "./serve.ts";

export interface StoreOptions {
  /** S3 settings; absent → the disk store. */
  s3?: S3Options | undefined;
  dataDir: string;
  /** Public base URL of the app (disk store's signed URLs point at its `/_objects/` route). */
  appUrl: string;
  /** HMAC secret for the disk store's signed URLs (at least 16 characters); unused with S3. */
  signingSecret: string;
  now?: () => Date;
}

export function createStore(opts: StoreOptions): ObjectStore {
  if (opts.s3) return new S3Store({ now: opts.now, ...opts.s3 });
  return new DiskStore(opts);
}
