#!/usr/bin/env python3
"""PyTorch CPU training-throughput baseline for `midtrain bench train`.

    /usr/bin/python3 scripts/bench_torch_train.py --config model.json --batch 8 --seq 512 \
        --threads 2 --steps 3 --warmup 1

Builds scripts/torch_llama.py's model from an HF-style config.json in float32 (eager attention:
matmul, causal mask, softmax, matmul), trains on random tokens (one document per row, mean
cross-entropy over all next-token targets), AdamW (foreach where torch allows, weight decay on
tensors with dim >= 2), and prints one JSON line on stdout:
    {"tokens_per_s", "step_ms", "threads", "torch_version", "params", ...}
Timed steps include forward, backward, optimizer step and zero_grad.
"""

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_llama import LlamaConfig, LlamaForCausalLM, adamw_param_groups, causal_lm_loss  # noqa: E402


def make_optimizer(model, lr=3e-4, weight_decay=0.1):
    groups = adamw_param_groups(model, weight_decay)
    # torch >= 2.0 has a fused CPU AdamW in some builds; 1.13 has foreach (multi-tensor) at best
    for kwargs in ({"fused": True}, {"foreach": True}, {}):
        try:
            return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8, **kwargs), kwargs
        except (TypeError, RuntimeError, ValueError):
            continue
    raise RuntimeError("no usable AdamW")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True, help="HF-style config.json")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(args.config) as f:
        cfg = LlamaConfig.from_hf(json.load(f))
    model = LlamaForCausalLM(cfg).float()
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() >= 2:
                p.normal_(0.0, 0.02)
    model.train()
    opt, opt_kwargs = make_optimizer(model)
    n_params = sum(p.numel() for p in model.parameters())

    def step():
        ids = torch.randint(0, cfg.vocab_size, (args.batch, args.seq + 1))
        inputs, labels = ids[:, :-1], ids[:, 1:]
        loss = causal_lm_loss(model(inputs), labels)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.item()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    elapsed = time.perf_counter() - start

    step_s = elapsed / args.steps
    print(json.dumps({
        "tokens_per_s": round(args.batch * args.seq / step_s, 1),
        "step_ms": round(step_s * 1e3, 1),
        "threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "params": n_params,
        "batch": args.batch,
        "seq": args.seq,
        "steps": args.steps,
        "warmup": args.warmup,
        "optimizer": "adamw " + (",".join(opt_kwargs) or "single-tensor"),
        "last_loss": round(loss, 4),
    }))


if __name__ == "__main__":
    main()
