#!/usr/bin/env python3
"""PyTorch counterparts of the midtrain CUDA kernels, timed the way
midtrain_cuda_check --bench times its own (CUDA events, median of repeats after
warm-up, same shapes, random data), for scripts/gpu-check.sh.

  python3 scripts/gpu/bench_torch.py --json OUT.json

Counterparts: device copy (torch copy_), SDPA with the flash backend (bf16,
causal, d=128), torch.optim.AdamW(fused=True), eager RMSNorm with the residual
add (F.rms_norm), eager SiLU-mul, eager rotate-half RoPE, and the LM head with
F.cross_entropy over materialised logits. Eager PyTorch, no torch.compile (its
compile time would not fit the check's time budget).
"""
import argparse
import json
import math
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    import torch
    import torch.nn.functional as F

    if not torch.cuda.is_available():
        print("bench_torch: no CUDA device visible to PyTorch", file=sys.stderr)
        return 3
    dev = torch.device("cuda")
    torch.manual_seed(int(time.time()))
    rows = []

    def median_ms(fn, reps=10):
        fn()
        fn()
        torch.cuda.synchronize()
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        times = []
        for _ in range(reps):
            start.record()
            fn()
            stop.record()
            stop.synchronize()
            times.append(start.elapsed_time(stop))
        times.sort()
        return times[len(times) // 2]

    def bench(kernel, shape, fn, bytes_=0.0, flops=0.0, reps=10):
        try:
            ms = median_ms(fn, reps)
        except Exception as e:  # a counterpart that cannot run here is reported, not fatal
            print(f"TORCH {kernel:28s} {shape:34s} unavailable: {e}", flush=True)
            rows.append({"kernel": kernel, "shape": shape, "ms": None, "bytes": bytes_, "flops": flops, "error": str(e)})
            return
        line = f"TORCH {kernel:28s} {shape:34s} {ms:9.3f} ms"
        if bytes_:
            line += f"  {bytes_ / ms / 1e6:8.1f} GB/s"
        if flops:
            line += f"  {flops / ms / 1e9:8.1f} TFLOP/s"
        print(line, flush=True)
        rows.append({"kernel": kernel, "shape": shape, "ms": ms, "bytes": bytes_, "flops": flops})

    # Device copy: bytes read + written.
    n = 1 << 30
    a = torch.randint(0, 255, (n,), dtype=torch.uint8, device=dev)
    b = torch.empty_like(a)
    bench("copy (torch copy_)", "1 GiB", lambda: b.copy_(a), 2.0 * n, reps=20)
    del a, b

    # SDPA, flash backend, causal, bf16, d=128, 16 heads, B*T = 16384.
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel
    except ImportError:  # older PyTorch
        sdpa_kernel = None
    for T in (2048, 4096, 8192):
        H, D, B = 16, 128, 16384 // T
        shape = f"B={B} T={T} H=16 D=128 causal"
        q, k, v = (torch.randn(B, H, T, D, device=dev, dtype=torch.bfloat16, requires_grad=True) for _ in range(3))
        do = torch.randn(B, H, T, D, device=dev, dtype=torch.bfloat16)
        fwd_flops = 4.0 * B * H * T * T * D / 2

        def run(fn):
            if sdpa_kernel is None:
                with torch.backends.cuda.sdp_kernel(enable_flash=True, enable_math=False, enable_mem_efficient=False):
                    return fn()
            with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                return fn()

        def fwd():
            with torch.no_grad():
                run(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))

        def fwd_bwd():
            o = run(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
            torch.autograd.grad(o, (q, k, v), do)  # no .grad accumulation in the timing

        bench("attention_forward", shape, fwd, flops=fwd_flops)
        bench("attention_fwd+bwd", shape, fwd_bwd, flops=3.5 * fwd_flops)
        f_ms = next((r["ms"] for r in rows[::-1] if r["kernel"] == "attention_forward" and r["shape"] == shape), None)
        fb_ms = rows[-1]["ms"]
        if f_ms is not None and fb_ms is not None:
            rows.append({"kernel": "attention_backward", "shape": shape, "ms": fb_ms - f_ms, "bytes": 0,
                         "flops": 2.5 * fwd_flops, "derived": "fwd+bwd minus fwd"})
            print(f"TORCH {'attention_backward':28s} {shape:34s} {fb_ms - f_ms:9.3f} ms (fwd+bwd minus fwd)", flush=True)
        del q, k, v, do

    # Fused AdamW: 268M fp32 parameters in 64 tensors, fp32 gradients
    # (28 bytes per parameter: p, m, v read and written, g read).
    count, per = 64, 1 << 22
    params = [torch.nn.Parameter(torch.randn(per, device=dev)) for _ in range(count)]
    for p in params:
        p.grad = torch.randn(per, device=dev) * 0.01
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1, fused=True)
    opt.step()  # creates the state
    bench("adamw_update (torch fused)", "268M params, 64 tensors", opt.step, 28.0 * count * per)
    del params, opt
    torch.cuda.empty_cache()

    # RMSNorm with the residual add, eager: h = x + delta; y = rms_norm(h) * w.
    N, C = 16384, 4096
    x, delta = torch.randn(N, C, device=dev, dtype=torch.bfloat16), torch.randn(N, C, device=dev, dtype=torch.bfloat16)
    w = torch.randn(C, device=dev, dtype=torch.bfloat16)
    rms = getattr(F, "rms_norm", None)

    def norm_fwd():
        h = x + delta
        if rms is not None:
            return rms(h, (C,), w, 1e-5)
        return (h.float() * torch.rsqrt(h.float().pow(2).mean(-1, keepdim=True) + 1e-5)).to(h.dtype) * w

    bench("rmsnorm_forward (+residual)", "N=16384 C=4096", norm_fwd, 4.0 * N * C * 2)
    xr = (x + delta).requires_grad_(True)
    wr = w.clone().requires_grad_(True)
    dy = torch.randn(N, C, device=dev, dtype=torch.bfloat16)

    def norm_bwd():
        y = rms(xr, (C,), wr, 1e-5) if rms is not None else xr * wr
        torch.autograd.grad(y, (xr, wr), dy)

    bench("rmsnorm fwd+bwd (autograd)", "N=16384 C=4096", norm_bwd, 8.0 * N * C * 2)
    del x, delta, xr, dy

    # RoPE, rotate-half, eager, on [N, H, D] bf16 with per-token cos/sin.
    N, H, D = 16384, 32, 128
    xq = torch.randn(N, H, D, device=dev, dtype=torch.bfloat16)
    pos = torch.arange(N, device=dev) % 4096
    inv = 1.0 / (500000.0 ** (torch.arange(0, D, 2, device=dev, dtype=torch.float32) / D))
    ang = pos[:, None].float() * inv[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1)[:, None, :].to(torch.bfloat16)
    sin = torch.cat([ang.sin(), ang.sin()], -1)[:, None, :].to(torch.bfloat16)

    def rope():
        x1, x2 = xq[..., : D // 2], xq[..., D // 2:]
        return xq * cos + torch.cat((-x2, x1), -1) * sin

    bench("rope_apply (eager)", "N=16384 H=32 D=128", rope, 2.0 * N * H * D * 2)
    del xq

    # SiLU-mul forward and backward (autograd), bf16.
    n = 16384 * 14336
    g, u = torch.randn(n, device=dev, dtype=torch.bfloat16), torch.randn(n, device=dev, dtype=torch.bfloat16)
    bench("swiglu_forward (silu*mul)", "16384 x 14336", lambda: F.silu(g) * u, 3.0 * n * 2)
    gr, ur = g.clone().requires_grad_(True), u.clone().requires_grad_(True)
    do = torch.randn(n, device=dev, dtype=torch.bfloat16)

    def swiglu_bwd():
        out = F.silu(gr) * ur
        torch.autograd.grad(out, (gr, ur), do)

    bench("swiglu fwd+bwd (autograd)", "16384 x 14336", swiglu_bwd, 8.0 * n * 2)
    del g, u, gr, ur, do
    torch.cuda.empty_cache()

    # LM head + cross-entropy, materialised logits (what F.cross_entropy needs).
    N, C, V = 8192, 2048, 128256
    xh = torch.randn(N, C, device=dev, dtype=torch.bfloat16, requires_grad=True)
    Wh = (torch.randn(V, C, device=dev, dtype=torch.bfloat16) * 0.02).requires_grad_(True)
    labels = torch.randint(0, V, (N,), device=dev)

    def xent():
        logits = xh @ Wh.t()
        loss = F.cross_entropy(logits.float(), labels)
        torch.autograd.grad(loss, (xh, Wh))

    bench("lmhead_xent fwd+bwd (matmul+CE)", "N=8192 C=2048 V=128256", xent, flops=6.0 * N * C * V, reps=5)

    info = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
            "cuda": torch.version.cuda, "rows": rows}
    with open(args.json, "w") as f:
        json.dump(info, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
