// The concurrency bound of the endpoint clients: never more than n tasks at once, waiters started in submission
// order, and a task that throws still frees its slot. Tasks are released by hand, so nothing here is timed.
import { describe, expect, it } from "vitest";
import { Semaphore } from "../src/infer/semaphore.js";

/** A task that starts, records itself, and ends only when released (with a value or an error). */
function gated(log: string[], name: string, running: { now: number; max: number }) {
  let release!: (fail?: boolean) => void;
  const done = new Promise<boolean | undefined>((r) => (release = r));
  const task = async () => {
    log.push(name);
    running.now++;
    running.max = Math.max(running.max, running.now);
    const fail = await done;
    running.now--;
    if (fail) throw new Error(`${name} failed`);
    return name;
  };
  return { task, release };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe("Semaphore", () => {
  it("runs at most n at once, in submission order, and frees the slot of a task that throws", async () => {
    const s = new Semaphore(2);
    const log: string[] = [], running = { now: 0, max: 0 };
    const ts = ["a", "b", "c", "d", "e"].map((n) => gated(log, n, running));
    const results = ts.map((t) => s.run(t.task).catch((e: Error) => e.message));
    await settle();
    expect(log).toEqual(["a", "b"]);
    ts[1]!.release(true); // b throws: its slot goes to c
    await settle();
    expect(log).toEqual(["a", "b", "c"]);
    ts[0]!.release();
    await settle();
    expect(log).toEqual(["a", "b", "c", "d"]);
    const late = gated(log, "f", running);
    const lateResult = s.run(late.task); // submitted after e: starts after e
    ts[2]!.release();
    await settle();
    expect(log).toEqual(["a", "b", "c", "d", "e"]);
    ts[3]!.release();
    await settle();
    expect(log).toEqual(["a", "b", "c", "d", "e", "f"]);
    ts[4]!.release();
    late.release();
    expect(await Promise.all(results)).toEqual(["a", "b failed", "c", "d", "e"]);
    expect(await lateResult).toBe("f");
    expect(running.max).toBe(2);
    // All slots are free again: n new tasks start at once.
    const again = [gated(log, "g", running), gated(log, "h", running)];
    const r2 = again.map((t) => s.run(t.task));
    await settle();
    expect(log.slice(-2)).toEqual(["g", "h"]);
    again.forEach((t) => t.release());
    expect(await Promise.all(r2)).toEqual(["g", "h"]);
  });
});
