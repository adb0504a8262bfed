#!/usr/bin/env python3
"""Merges midtrain_cuda_check --json and bench_torch.py --json into one table
(markdown and JSON) with issue 9's goals checked, for scripts/gpu-check.sh.

  python3 scripts/gpu/report.py MIDTRAIN.json TORCH.json --md OUT.md --json OUT.json
"""
import argparse
import datetime
import json
import sys

# midtrain kernel -> its PyTorch counterpart (bench_torch.py names).
PAIRS = {
    "copy (cudaMemcpy D2D)": "copy (torch copy_)",
    "attention_forward": "attention_forward",
    "attention_backward": "attention_backward",
    "attention_fwd+bwd": "attention_fwd+bwd",
    "adamw_update (bf16 g, bf16 copy)": "adamw_update (torch fused)",
    "rmsnorm_forward (+residual)": "rmsnorm_forward (+residual)",
    "rmsnorm fwd+bwd": "rmsnorm fwd+bwd (autograd)",
    "rope_apply": "rope_apply (eager)",
    "swiglu_forward": "swiglu_forward (silu*mul)",
    "swiglu fwd+bwd": "swiglu fwd+bwd (autograd)",
    "lmhead_xent fwd+bwd (cuBLAS)": "lmhead_xent fwd+bwd (matmul+CE)",
    "lmhead_xent fwd+bwd (built-in GEMM)": "lmhead_xent fwd+bwd (matmul+CE)",
}
# Memory-bound kernels and the fraction of copy bandwidth issue 9 asks of them.
BANDWIDTH_GOALS = {
    "adamw_update (bf16 g, bf16 copy)": 0.85,
    "rmsnorm_forward (+residual)": 0.80,
    "rmsnorm_backward": 0.80,
    "rope_apply": 0.80,
    "swiglu_forward": 0.80,
    "swiglu_backward": 0.80,
}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"report: cannot read {path}: {e}", file=sys.stderr)
        return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("midtrain")
    ap.add_argument("torch")
    ap.add_argument("--md", required=True)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    mt, th = load(a.midtrain), load(a.torch)
    if mt is None:
        return 1
    rows = list(mt.get("bench", []))
    # Derived fwd+bwd rows, to pair with PyTorch's autograd timings.
    by = {(r["kernel"], r["shape"]): r for r in rows}
    for fwd, bwd, name in (("rmsnorm_forward (+residual)", "rmsnorm_backward", "rmsnorm fwd+bwd"),
                           ("swiglu_forward", "swiglu_backward", "swiglu fwd+bwd")):
        for (k, s), r in list(by.items()):
            if k == fwd and (bwd, s) in by:
                b = by[(bwd, s)]
                rows.append({"kernel": name, "shape": s, "ms": r["ms"] + b["ms"], "bytes": r["bytes"] + b["bytes"],
                             "flops": 0, "derived": "forward + backward"})
    torch_rows = {(r["kernel"], r["shape"]): r for r in (th or {}).get("rows", [])}
    copy_bw = next((r["bytes"] / r["ms"] / 1e6 for r in rows if r["kernel"].startswith("copy")), None)

    merged, goals = [], []
    for r in rows:
        t = torch_rows.get((PAIRS.get(r["kernel"], ""), r["shape"]))
        t_ms = t.get("ms") if t else None
        gbs = r["bytes"] / r["ms"] / 1e6 if r["bytes"] and r["ms"] > 0 else None
        tflops = r["flops"] / r["ms"] / 1e9 if r["flops"] and r["ms"] > 0 else None
        m = {"kernel": r["kernel"], "shape": r["shape"], "midtrain_ms": r["ms"], "torch_kernel": t["kernel"] if t else None,
             "torch_ms": t_ms, "speedup_vs_torch": (t_ms / r["ms"]) if t_ms and r["ms"] > 0 else None,
             "gb_per_s": gbs, "tflop_per_s": tflops,
             "fraction_of_copy_bw": (gbs / copy_bw) if gbs and copy_bw else None}
        merged.append(m)
        if r["kernel"] in BANDWIDTH_GOALS and m["fraction_of_copy_bw"] is not None:
            want = BANDWIDTH_GOALS[r["kernel"]]
            goals.append({"goal": f"{r['kernel']} >= {want:.0%} of copy bandwidth", "value": m["fraction_of_copy_bw"],
                          "met": m["fraction_of_copy_bw"] >= want})
        if r["kernel"] == "adamw_update (bf16 g, bf16 copy)" and m["speedup_vs_torch"] is not None:
            goals.append({"goal": "adamw_update faster than torch fused AdamW", "value": m["speedup_vs_torch"],
                          "met": m["speedup_vs_torch"] >= 1.0})
        if r["kernel"] == "attention_fwd+bwd" and m["speedup_vs_torch"] is not None:
            goals.append({"goal": f"attention fwd+bwd >= SDPA flash ({r['shape']})", "value": m["speedup_vs_torch"],
                          "met": m["speedup_vs_torch"] >= 1.0})

    checks = mt.get("checks", [])
    failed = [c for c in checks if not c["ok"]]
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    dev = mt.get("device", "?")
    lines = [f"# midtrain GPU check ({date})", "",
             f"Device: {dev} (cc {mt.get('cc', '?')}), backend {mt.get('backend')}, cuBLAS {mt.get('cublas')}; "
             f"PyTorch {(th or {}).get('torch', 'not run')} on {(th or {}).get('device', '-')}; seed {mt.get('seed')}.", "",
             f"Correctness: {len(checks) - len(failed)} of {len(checks)} checks passed"
             + (": FAILED " + ", ".join(c["name"] for c in failed[:10]) if failed else "."), "",
             "| kernel | shape | midtrain ms | PyTorch ms | PyTorch / midtrain | GB/s | TFLOP/s | of copy BW |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]

    def f(x, spec):
        return format(x, spec) if x is not None else "-"

    for m in merged:
        lines.append(f"| {m['kernel']} | {m['shape']} | {f(m['midtrain_ms'], '.3f')} | {f(m['torch_ms'], '.3f')} | "
                     f"{f(m['speedup_vs_torch'], '.2f')} | {f(m['gb_per_s'], '.0f')} | {f(m['tflop_per_s'], '.1f')} | "
                     f"{f(m['fraction_of_copy_bw'], '.0%')} |")
    if torch_rows:
        lines += ["", "PyTorch only (no midtrain row of the same name):", ""]
        paired = {(PAIRS.get(m["kernel"]), m["shape"]) for m in merged}
        for (k, s), t in torch_rows.items():
            if (k, s) not in paired:
                lines.append(f"- {k} ({s}): {f(t.get('ms'), '.3f')} ms" + (f" [{t['error']}]" if t.get("error") else ""))
    lines += ["", "Goals (issue 9):", "", "| goal | value | met |", "| --- | ---: | --- |"]
    for g in goals:
        v = f"{g['value']:.0%}" if "bandwidth" in g["goal"] else f"{g['value']:.2f}x"
        lines.append(f"| {g['goal']} | {v} | {'yes' if g['met'] else 'no'} |")
    md = "\n".join(lines) + "\n"
    with open(a.md, "w") as fh:
        fh.write(md)
    with open(a.json, "w") as fh:
        json.dump({"date": date, "device": dev, "midtrain": mt, "torch": th, "table": merged, "goals": goals}, fh, indent=1)
    print(md)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
