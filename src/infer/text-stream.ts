// Turns generated token ids into text as it becomes final: a token that ends
// inside a UTF-8 character, or text that could be the start of a stop string,
// is held back until the next token settles it (as vLLM's detokenizer does).
// Stop strings end the text before their first occurrence and are not returned.
import type { Tokenizer } from "../tokenizer/tokenizer.js";

export class TextStream {
  private readonly ids: number[] = [];
  private text = "";
  private emitted = 0;
  private readonly maxStop: number;
  /** True once a stop string was seen; `text` then ends before it. */
  stopped = false;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly stops: readonly string[],
  ) {
    this.maxStop = Math.max(0, ...stops.map((s) => s.length));
  }

  /** Adds a token; returns the text that became final (possibly ""). */
  push(id: number): string {
    if (this.stopped) throw new Error("TextStream.push after a stop string");
    this.ids.push(id);
    const prev = this.text.length;
    // Special tokens are dropped from the text, as OpenAI-compatible servers do (skip_special_tokens).
    this.text = this.tokenizer.decode(this.ids, { skipSpecialTokens: true });
    if (this.stops.length > 0) {
      // A stop string not found before can only end in the new text.
      const from = Math.max(0, Math.min(prev, this.emitted) - this.maxStop + 1);
      let at = -1;
      for (const s of this.stops) {
        const i = this.text.indexOf(s, from);
        if (i >= 0 && (at < 0 || i < at)) at = i;
      }
      if (at >= 0) {
        this.stopped = true;
        this.text = this.text.slice(0, at);
        return this.take(this.text.length);
      }
    }
    let end = this.text.length;
    while (end > this.emitted && this.text.charCodeAt(end - 1) === 0xfffd) end--; // an unfinished UTF-8 sequence
    let hold = 0;
    for (const s of this.stops)
      for (let k = Math.min(s.length - 1, end - this.emitted); k > hold; k--)
        if (this.text.endsWith(s.slice(0, k), end)) {
          hold = k;
          break;
        }
    return this.take(end - hold);
  }

  /** Generation ended: whatever was held back is final now. */
  finish(): string {
    return this.take(this.text.length);
  }

  /** The text so far (including any part not yet emitted). */
  get value(): string {
    return this.text;
  }

  get tokenIds(): readonly number[] {
    return this.ids;
  }

  private take(end: number): string {
    if (end <= this.emitted) return "";
    const out = this.text.slice(this.emitted, end);
    this.emitted = end;
    return out;
  }
}
