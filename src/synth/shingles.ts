// Word shingles: the lower-cased words of a text and its distinct runs of n
// words, the units both near-duplicate detection (minhash.ts) and the
// contamination check (contamination.ts) compare texts by.

/** Lower-cased runs of letters and digits (any script). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The distinct word shingles of a text (lower-cased words; a text shorter than one shingle is one shingle). */
export function shingleSet(text: string, n: number): Set<string> {
  const w = words(text);
  const s = new Set<string>();
  if (w.length < n) {
    if (w.length) s.add(w.join(" "));
    return s;
  }
  for (let i = 0; i + n <= w.length; i++) s.add(w.slice(i, i + n).join(" "));
  return s;
}
