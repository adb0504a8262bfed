// An append-only JSONL output that survives being killed: every record is one
// write of one line, and on reopening a torn last line (a kill mid-write) is
// cut off, so the file only ever holds whole records. A rerun reads what is
// there and appends the rest. (Rewriting the whole file atomically per record
// would make a 3,000-document run quadratic; truncating the torn tail gives the
// same guarantee for an append-only file.)
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync } from "node:fs";
import { dirname } from "node:path";
import { writeAll } from "../model/atomic-file.js";

/**
 * Cuts a torn last line (no final newline) off an append-only file, so the next append starts on a line of its
 * own. Returns whether anything was cut. Used on the response cache before it is opened, too.
 */
export function repairTornTail(path: string): boolean {
  if (!existsSync(path)) return false;
  const buf = readFileSync(path);
  const end = buf.lastIndexOf(0x0a) + 1;
  if (end === buf.length) return false;
  truncateSync(path, end);
  return true;
}

export interface ExistingRecord {
  /** 1-based line number in the file. */
  line: number;
  value: Record<string, unknown>;
}

export class ResumableJsonl {
  private fd: number;
  private sinceSync = 0;
  /** Records already in the file when it was opened. */
  readonly existing: ExistingRecord[];
  /** True when a torn last line was found and cut off. */
  readonly repaired: boolean;

  constructor(readonly path: string) {
    const existing: ExistingRecord[] = [];
    let repaired = false;
    if (existsSync(path)) {
      const buf = readFileSync(path);
      const end = buf.lastIndexOf(0x0a) + 1; // bytes up to and including the last newline
      if (end < buf.length) {
        truncateSync(path, end);
        repaired = true;
      }
      const lines = buf.subarray(0, end).toString("utf8").split("\n");
      lines.forEach((l, i) => {
        if (!l.trim()) return;
        let v: unknown;
        try {
          v = JSON.parse(l);
        } catch {
          throw new Error(`${path}:${i + 1}: not a JSON record; this file was not written by midtrain synth, or was edited (use another --out)`);
        }
        if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`${path}:${i + 1}: not a JSON object`);
        existing.push({ line: i + 1, value: v as Record<string, unknown> });
      });
    } else mkdirSync(dirname(path), { recursive: true });
    this.existing = existing;
    this.repaired = repaired;
    this.fd = openSync(path, "a");
  }

  /** Appends one record as one line. */
  append(record: object): void {
    writeAll(this.fd, Buffer.from(JSON.stringify(record) + "\n", "utf8"));
    // A kill loses nothing the OS has accepted; the periodic fsync bounds what a power cut can lose.
    if (++this.sinceSync >= 64) {
      fsyncSync(this.fd);
      this.sinceSync = 0;
    }
  }

  close(): void {
    if (this.fd < 0) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}
