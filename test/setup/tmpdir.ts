// Vitest global setup: the whole run's temporary files (checkpoints, exports,
// experiment dirs: hundreds of MB a run) go under one fresh directory, removed
// at the end, so repeated runs do not fill the disk. Workers are forked after
// this runs and inherit TMPDIR, which os.tmpdir() reads.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "midtrain-tests-"));
  chmodSync(dir, 0o1777); // like /tmp: tests that run a command as an unprivileged user write here too
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
