#!/usr/bin/env python3
"""PyTorch GPU training baseline for `midtrain bench train --device cuda` (issue 10).

    python3 scripts/gpu/bench_torch_train_cuda.py --config model.json --batch 8 --seq 1024 --steps 5 --warmup 2

The same model as midtrain (scripts/torch_llama.py's Llama-family decoder, HF names) in PyTorch eager:
bf16 weights/activations under torch.autocast with fp32 master weights, attention by
F.scaled_dot_product_attention (causal; the flash backend where it applies), torch.optim.AdamW(fused=True)
(weight decay on >= 2-dim tensors), gradient clipping 1.0, random tokens, mean cross-entropy. Timed steps
(CUDA-synchronised wall clock) include forward, backward, clipping and the optimizer step. Prints one JSON
line: {"tokens_per_s", "step_ms", "mfu", "peak_memory_bytes", "torch_version", "device", ...}.
MFU uses the same FLOPs per token as midtrain (6 x matmul params + 6 L H D T) over --peak-tflops
(default 989: H100 SXM bf16 dense).
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
import torch_llama  # noqa: E402
from torch_llama import LlamaConfig, LlamaForCausalLM, adamw_param_groups  # noqa: E402


def sdpa_forward(self, x, cos, sin, mask):  # noqa: ARG001 - one document per row: plain causal SDPA
    B, T, _ = x.shape
    q = self.q_proj(x).view(B, T, self.n_heads, self.head_dim)
    k = self.k_proj(x).view(B, T, self.n_kv, self.head_dim)
    v = self.v_proj(x).view(B, T, self.n_kv, self.head_dim)
    if self.q_norm is not None:
        q, k = self.q_norm(q), self.k_norm(k)
    q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # [B, heads, T, d]
    q, k = torch_llama.apply_rope(q, cos, sin), torch_llama.apply_rope(k, cos, sin)
    rep = self.n_heads // self.n_kv
    if rep > 1:
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
    o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return self.o_proj(o.transpose(1, 2).reshape(B, T, -1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--peak-tflops", type=float, default=989.0)
    a = ap.parse_args()
    if not torch.cuda.is_available():
        print(json.dumps({"error": "no CUDA device for PyTorch"}))
        sys.exit(1)
    torch.backends.cuda.matmul.allow_tf32 = True
    cfg_raw = json.load(open(a.config))
    cfg = LlamaConfig.from_hf(cfg_raw)
    dev = torch.device("cuda")
    model = LlamaForCausalLM(cfg).to(dev)
    attn_cls = type(model.model.layers[0].self_attn)
    attn_cls.forward = sdpa_forward
    opt = torch.optim.AdamW(adamw_param_groups(model, 0.1), lr=3e-4, betas=(0.9, 0.95), eps=1e-8, fused=True)
    V, B, T = cfg.vocab_size, a.batch, a.seq
    ids = torch.randint(0, V, (B, T), device=dev)
    labels = torch.cat([ids[:, 1:], torch.full((B, 1), -100, device=dev)], dim=1)

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(ids)
            loss = F.cross_entropy(logits.float().view(-1, V), labels.view(-1), ignore_index=-100)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    for _ in range(a.warmup):
        step()
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    torch.cuda.synchronize()
    step_s = (time.perf_counter() - t0) / a.steps
    C, Fi, D, L = cfg.hidden_size, cfg.intermediate_size, cfg.head_dim, cfg.num_hidden_layers
    Q, KV = cfg.num_attention_heads * D, cfg.num_key_value_heads * D
    flops_per_token = 6 * (L * (C * Q * 2 + C * KV * 2 + 3 * C * Fi) + V * C) + 6 * L * cfg.num_attention_heads * D * T
    tps = B * T / step_s
    print(json.dumps({
        "tokens_per_s": tps, "step_ms": 1000 * step_s, "mfu": flops_per_token * tps / (a.peak_tflops * 1e12),
        "peak_memory_bytes": torch.cuda.max_memory_allocated(), "loss": loss.item(),
        "torch_version": torch.__version__, "device": torch.cuda.get_device_name(),
        "params": sum(p.numel() for p in model.parameters()),
    }))


if __name__ == "__main__":
    main()
