#!/usr/bin/env python3
"""The issue-10 table of scripts/gpu-check.sh: HF parity, training throughput beside PyTorch, and the
1B-at-8k memory check, from the JSON the earlier phases wrote, with the issue's goals checked.

  python3 scripts/gpu/train_report.py --dir build-cuda/train --md OUT.md --json OUT.json

--dir holds hf_parity.json, bench-PRESET-midtrain.json / bench-PRESET-torch.json (one JSON line each) and
mem-1b-8k.json; any may be missing (a phase skipped or failed), and the table says so.
Goals: ~1B preset >= 40% MFU and >= 1.2x PyTorch's tokens/s; the 1B full fine-tune with recompute at 8k
tokens per micro-batch fits in 24 GiB (device memory in use at the end of a step, minus what was in use
before the model, plus 0.5 GiB for a CUDA context the measurement cannot see).
"""
import argparse
import datetime
import json
import os

GIB = 1 << 30


def load(path):
    try:
        with open(path) as f:
            text = f.read().strip()
        return json.loads(text.splitlines()[-1]) if text and not text.startswith("{\n") else json.loads(text)
    except Exception:  # noqa: BLE001 - a missing or broken file is reported as missing
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    d = a.dir
    lines = [f"# midtrain GPU training check ({datetime.date.today()})", ""]
    out = {"date": str(datetime.date.today()), "goals": {}}

    hf = load(os.path.join(d, "hf_parity.json"))
    lines += ["## Parity with Hugging Face (loss, every gradient, 20 AdamW steps)", ""]
    if hf:
        lines += ["| family | reference | loss rel err | worst grad rel err | max step loss diff | recompute | ok |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for r in hf["results"]:
            if "error" in r:
                lines.append(f"| {r['family']} | {r.get('source', '')} | - | - | - | - | FAIL: {r['error']} |")
                continue
            lines.append(f"| {r['family']} | {r['source']} | {r['loss_rel_err']:.1e} (< {r['loss_tol']:.0e}) | "
                         f"{r['worst_grad_rel_err']:.1e} (< {r['grad_tol']:.0e}) | "
                         f"{100 * r['max_step_rel_err']:.2f}% (< 2%) | {r.get('recompute', '-')} | "
                         f"{'yes' if r['ok'] else 'NO'} |")
        out["goals"]["hf_parity"] = all(r.get("ok") for r in hf["results"])
    else:
        lines.append("not run (see the log)")
    out["hf_parity"] = hf

    lines += ["", "## Training throughput beside PyTorch (same model, batch and sequence)", "",
              "| preset | midtrain tok/s | MFU | PyTorch tok/s | PyTorch MFU | speedup | midtrain plan GiB | PyTorch peak GiB |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    out["bench"] = {}
    names = sorted(f[len("bench-"):-len("-midtrain.json")] for f in os.listdir(d) if f.startswith("bench-") and f.endswith("-midtrain.json"))
    for preset in sorted(set(names) | {"llama-124m", "llama-1b"}):
        m = load(os.path.join(d, f"bench-{preset}-midtrain.json"))
        t = load(os.path.join(d, f"bench-{preset}-torch.json"))
        out["bench"][preset] = {"midtrain": m, "torch": t}
        if not m:
            lines.append(f"| {preset} | not run | | | | | | |")
            continue
        sp = m["tokens_per_s"] / t["tokens_per_s"] if t and t.get("tokens_per_s") else None
        lines.append(f"| {preset} | {m['tokens_per_s']:.0f} | {100 * m['mfu']:.1f}% | "
                     f"{t['tokens_per_s']:.0f} | {100 * t['mfu']:.1f}% | {sp:.2f}x | " if t and "tokens_per_s" in t else
                     f"| {preset} | {m['tokens_per_s']:.0f} | {100 * m['mfu']:.1f}% | - | - | - | ")
        lines[-1] += f"{m['plan_bytes'] / GIB:.2f} | " + (f"{t['peak_memory_bytes'] / GIB:.2f} |" if t and "peak_memory_bytes" in t else "- |")
        if preset == "llama-1b":
            out["goals"]["mfu_40"] = m["mfu"] >= 0.40
            out["goals"]["speedup_1.2x"] = sp is not None and sp >= 1.2

    mem = load(os.path.join(d, "mem-1b-8k.json"))
    lines += ["", "## Llama-3.2-1B-shaped full fine-tune, 8192 tokens per micro-batch, recompute", ""]
    if mem:
        used = mem["peak_used_bytes"] - mem["used_before_bytes"]
        need = used + GIB // 2
        ok = need <= 24 * GIB
        lines.append(f"plan {mem['plan_bytes'] / GIB:.2f} GiB (weights+state {mem['weights_bytes'] / GIB:.2f}, "
                     f"activations {mem['activations_bytes'] / GIB:.2f}); in use at the end of a step "
                     f"{used / GIB:.2f} GiB over the baseline; with 0.5 GiB of context {need / GIB:.2f} GiB: "
                     f"{'fits' if ok else 'does NOT fit'} in 24 GiB; {mem['tokens_per_s']:.0f} tok/s, MFU {100 * mem['mfu']:.1f}%")
        out["goals"]["fits_24gib"] = ok
    else:
        lines.append("not run (see the log)")
    out["mem_1b_8k"] = mem
    lines += ["", "Goals: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in out["goals"].items())]
    with open(a.md, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(a.json, "w") as f:
        json.dump(out, f, indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
