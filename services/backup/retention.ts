/**
 * Which backups to prune: everything beyond the newest `keep`, and everything older than `maxAgeDays` —
 * except the newest backup, which is never pruned (an old last backup is better than none). Runs only after
 * a backup succeeded, so a failing backup job never eats into the backups it failed to replace.
 */
const DAY_MS = 24 * 3600 * 1000;

export interface RetentionPolicy {
  keep: number;
  maxAgeDays: number;
}

/** The files of `backups` to delete under `policy` at `now`, oldest first. */
export function backupsToPrune(
  backups: readonly { file: string; createdAt: string }[],
  policy: RetentionPolicy,
  now: Date,
): string[] {
  const newestFirst = [...backups].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt) || b.file.localeCompare(a.file)
  );
  const cutoff = now.getTime() - policy.maxAgeDays * DAY_MS;
  return newestFirst
    .filter((b, i) => i > 0 && (i >= policy.keep || Date.parse(b.createdAt) < cutoff))
    .map((b) => b.file)
    .reverse();
}
