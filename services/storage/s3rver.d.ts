// Types for the parts of @20minutes/s3rver the tests use (the package ships none).
export interface S3rverOptions {
  port?: number;
  address?: string;
  silent?: boolean;
  directory?: string;
  configureBuckets?: { name: string; configs?: unknown[] }[];
}
export default class S3rver {
  constructor(options: S3rverOptions);
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
