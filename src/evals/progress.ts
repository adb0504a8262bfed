// Progress lines for long evaluations: at most one every few seconds, and the last.
export function progress(label: string, total: number, log?: (s: string) => void, everyMs = 3000): (extra?: string) => void {
  let done = 0, last = 0;
  const t0 = performance.now();
  return (extra?: string) => {
    done++;
    const now = performance.now();
    if (!log || (done < total && now - last < everyMs)) return;
    last = now;
    const s = (now - t0) / 1000;
    const eta = done < total ? `, ~${Math.ceil((s / done) * (total - done))} s left` : "";
    log(`${label}: ${done}/${total} (${s.toFixed(0)} s${eta})${extra ? `; ${extra}` : ""}`);
  };
}
