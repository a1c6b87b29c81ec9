/** @20minutes/s3rver (dev only, see ./README.md): a real S3 protocol server for the storage tests. */
// @ts-types="../../services/storage/s3rver.d.ts"
import S3rver from "npm:@20minutes/s3rver@5.0.0";
export default S3rver;
