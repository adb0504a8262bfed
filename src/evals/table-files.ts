// Records from the table formats datasets are exported in: JSON (an array),
// JSONL, CSV (header row) and Parquet. Each record carries where it came from
// (file:line or file row N) so every later error can name it.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";

export interface TableRecord {
  /** "file:line" (JSONL, CSV), "file[i]" (JSON) or "file row i" (Parquet). */
  where: string;
  fields: Record<string, unknown>;
}

export const TABLE_EXTENSIONS = [".json", ".jsonl", ".csv", ".parquet"] as const;

export class TableFileError extends Error {}

/** Plain JS values: Parquet int64 arrives as BigInt; numbers that fit become numbers. */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object" && !(v instanceof Date) && !(v instanceof Uint8Array))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new TableFileError(`${where}: expected an object (a record with named fields)`);
  return v as Record<string, unknown>;
}

export async function readTableFile(file: string): Promise<TableRecord[]> {
  if (!existsSync(file)) throw new TableFileError(`${file}: no such file`);
  const ext = extname(file).toLowerCase();
  if (ext === ".parquet") {
    let rows: Record<string, unknown>[];
    try {
      rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors })) as Record<string, unknown>[];
    } catch (e) {
      throw new TableFileError(`${file}: not a readable Parquet file: ${(e as Error).message}`);
    }
    return rows.map((r, i) => ({ where: `${file} row ${i}`, fields: plain(r) as Record<string, unknown> }));
  }
  const text = readFileSync(file, "utf8");
  if (ext === ".json") {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new TableFileError(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(v)) throw new TableFileError(`${file}: expected a JSON array of records`);
    return v.map((r, i) => ({ where: `${file}[${i}]`, fields: asObject(r, `${file}[${i}]`) }));
  }
  if (ext === ".jsonl") {
    const out: TableRecord[] = [];
    text.split("\n").forEach((l, i) => {
      if (!l.trim()) return;
      const where = `${file}:${i + 1}`;
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch (e) {
        throw new TableFileError(`${where}: not valid JSON: ${(e as Error).message}`);
      }
      out.push({ where, fields: asObject(v, where) });
    });
    return out;
  }
  if (ext === ".csv") {
    let rows: { record: Record<string, string>; info: { lines: number }; raw: string }[];
    try {
      rows = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true, info: true, raw: true }) as never;
    } catch (e) {
      throw new TableFileError(`${file}: not valid CSV: ${(e as Error).message}`);
    }
    // info.lines is the record's last line; a quoted field may span lines, so step back to where it starts.
    const startLine = (r: (typeof rows)[number]) => r.info.lines - ((r.raw.match(/\n/g)?.length ?? 0) - (r.raw.endsWith("\n") ? 1 : 0));
    return rows.map((r) => ({ where: `${file}:${startLine(r)}`, fields: r.record }));
  }
  throw new TableFileError(`${file}: unsupported file type '${ext}' (expected ${TABLE_EXTENSIONS.join(", ")})`);
}

/** Every table file under a directory (recursively, sorted, hidden entries skipped). */
export function tableFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith(".")) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if ((TABLE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * A list-valued field as strings: a real array (JSON, Parquet), or in CSV a JSON array, a Python-style
 * list ("['a', 'b']") or comma-separated text. Null when the value is none of these.
 */
export function stringList(v: unknown): string[] | null {
  if (Array.isArray(v)) return v.every((x) => typeof x === "string") ? (v as string[]).map((s) => s.trim()).filter(Boolean) : null;
  if (v && typeof v === "object" && Array.isArray((v as { list?: unknown }).list)) return stringList((v as { list: unknown }).list);
  if (typeof v !== "string") return null;
  const s = v.trim();
  if (!s) return [];
  if (s.startsWith("[")) {
    try {
      return stringList(JSON.parse(s));
    } catch {
      const quoted = [...s.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? m[2] ?? "").trim());
      return quoted.filter(Boolean);
    }
  }
  return s.split(",").map((x) => x.trim()).filter(Boolean);
}
