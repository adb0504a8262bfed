// Bounded concurrency for the clients of OpenAI-compatible endpoints (the
// endpoint client of synth and the judges, the remote model under test): at
// most n tasks run at once, the rest start in submission order. A finishing
// task hands its slot straight to the next waiter, so a late caller cannot
// jump the queue.

export class Semaphore {
  private readonly waiting: (() => void)[] = [];
  private held = 0;

  constructor(private readonly n: number) {}

  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.held >= this.n) await new Promise<void>((r) => this.waiting.push(r));
    else this.held++;
    try {
      return await f();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.held--;
    }
  }
}
