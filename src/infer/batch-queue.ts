// One model, many callers: work items from every caller (concurrent HTTP
// requests, an eval's many prompts) wait in one FIFO queue; a single worker
// takes up to maxBatch items of the kind at the head and runs them as one
// batch. When the worker is idle it waits a few milliseconds first, so
// requests that arrive together share a batch. Each item is answered exactly
// once: with its own result, or with the error of the batch it ran in.

export interface BatchQueueOptions {
  maxBatch: number;
  /** How long an idle worker waits for more items before starting (default 3 ms). */
  windowMs?: number;
}

interface Item<K, J, R> {
  kind: K;
  job: J;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class BatchQueue<K extends string, J, R> {
  private readonly items: Item<K, J, R>[] = [];
  private running = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  /** Sizes of the recent batches (tests check that concurrent callers shared batches). */
  readonly batchSizes: number[] = [];

  constructor(
    private readonly run: (kind: K, jobs: J[]) => Promise<R[]>,
    private readonly o: BatchQueueOptions,
  ) {
    if (!Number.isInteger(o.maxBatch) || o.maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${o.maxBatch}`);
  }

  /** Queues the jobs (in order, so a caller's sorting survives) and resolves with their results in the same order. */
  submit(kind: K, jobs: readonly J[]): Promise<R[]> {
    if (this.closed) return Promise.reject(new Error("the model is closed"));
    const done = Promise.all(jobs.map((job) => new Promise<R>((resolve, reject) => this.items.push({ kind, job, resolve, reject }))));
    this.start();
    return done;
  }

  /** Resolves when everything queued so far has been answered; later submits are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle;
  }

  get pending(): number {
    return this.items.length;
  }

  private start(): void {
    if (this.running || this.items.length === 0) return;
    this.running = true;
    this.idle = new Promise((r) => (this.markIdle = r));
    setTimeout(() => void this.drain(), this.o.windowMs ?? 3);
  }

  private async drain(): Promise<void> {
    while (this.items.length > 0) {
      const kind = this.items[0]!.kind;
      const batch: Item<K, J, R>[] = [];
      for (let i = 0; i < this.items.length && batch.length < this.o.maxBatch; ) {
        if (this.items[i]!.kind === kind) batch.push(...this.items.splice(i, 1));
        else i++;
      }
      this.batchSizes.push(batch.length);
      if (this.batchSizes.length > 1000) this.batchSizes.shift(); // a long-running server keeps only the recent ones
      try {
        const results = await this.run(
          kind,
          batch.map((b) => b.job),
        );
        if (results.length !== batch.length) throw new Error(`internal: a batch of ${batch.length} returned ${results.length} results`);
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.running = false;
    this.markIdle();
  }
}
