// Turning raw chat completions into usable text: list items out of a
// brainstorm, a document without the model's chatter around it, and a
// verdict on completions that are garbage (empty, a refusal, the wrong
// length) so the pipeline can count them and ask again.

export type Garbage = "empty" | "refusal" | "too_short" | "too_long" | "no_items";

const CHATTY_OPEN = /^(sure|certainly|of course|absolutely|okay|ok|here is|here's|here are|below is|below are)\b[^\n]{0,160}[:.!]\s*$/i;
const CHATTY_CLOSE = /^(let me know|i hope|feel free|would you like|if you(?:'d| would) like)\b/i;
const REFUSAL = /^\W*(i'?m sorry|i am sorry|sorry,|i can(?:no|')t|i cannot|i won'?t|i am unable|i'?m unable|as an ai\b|i'?m not able)/i;

export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Items of a list reply: one per line, bullets and numbering removed, headings and chatter dropped. */
export function listItems(reply: string): string[] {
  const out: string[] = [];
  for (let line of reply.split("\n")) {
    line = line.trim();
    if (!line || /^```/.test(line)) continue;
    const bulleted = /^(?:[-*•]|\d{1,3}[.):]|\(\d{1,3}\))\s+/.test(line);
    line = line.replace(/^(?:[-*•]|\d{1,3}[.):]|\(\d{1,3}\))\s+/, "").trim();
    line = line.replace(/^\*\*(.+?)\*\*/, "$1").replace(/^"(.*)"$/, "$1").trim();
    // An unbulleted line that introduces or closes the list is chatter, not an item.
    if (!bulleted && (CHATTY_OPEN.test(line) || CHATTY_CLOSE.test(line) || /:$/.test(line))) continue;
    if (line.length < 3) continue;
    out.push(line);
  }
  return out;
}

/** A document reply without code fences or a chatty first/last line. */
export function cleanDocument(reply: string): string {
  let t = reply.replace(/\r\n/g, "\n").trim();
  const fenced = /^```[^\n]*\n([\s\S]*?)\n```$/.exec(t);
  if (fenced) t = fenced[1]!.trim();
  const lines = t.split("\n");
  if (lines.length > 1 && CHATTY_OPEN.test(lines[0]!.trim())) lines.shift();
  while (lines.length > 1 && lines[lines.length - 1]!.trim() === "") lines.pop();
  if (lines.length > 1 && CHATTY_CLOSE.test(lines[lines.length - 1]!.trim())) lines.pop();
  return lines.join("\n").trim();
}

/** Why a cleaned text cannot be used, or undefined when it can. */
export function garbageReason(text: string, bounds: { minWords: number; maxWords: number }): Garbage | undefined {
  if (!text.trim()) return "empty";
  if (REFUSAL.test(text.slice(0, 200))) return "refusal";
  const n = wordCount(text);
  if (n < bounds.minWords) return "too_short";
  if (n > bounds.maxWords) return "too_long";
  return undefined;
}
