#!/usr/bin/env python3
"""Writes test/fixtures/llama-{gqa,qwen2,qwen3}.safetensors: float64 reference values for the
native Llama-family engine (forward logits, gradients, three AdamW steps), stored as F32/I32.

    /usr/bin/python3 scripts/make_llama_fixture.py [--out-dir test/fixtures]

Deterministic (fixed seeds, one thread). Each file holds:
    input_ids, labels, position_ids, segment_ids   I32 [2, 24]
    param.<hf name>     initial weights
    logits              F32 [2, 24, vocab]
    grad.<hf name>      gradient of the mean loss at the initial weights
    step3.<hf name>     weights after 3 steps (zero grads, loss, backward, clip to global norm 1.0,
                        AdamW) on this same batch
and string metadata: config (HF config.json), loss, losses, grad_norms, optimizer.
"""

import argparse
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_llama import IGNORE_INDEX, LlamaConfig, LlamaForCausalLM, adamw_param_groups, causal_lm_loss  # noqa: E402

B, T = 2, 24
DOC_LENGTHS = [[24], [7, 10, 7]]
OPTIMIZER = {"name": "adamw", "lr": 1e-2, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.1,
             "weight_decay_applies_to": "tensors with dim >= 2", "grad_clip": 1.0,
             "grad_clip_formula": "torch.nn.utils.clip_grad_norm_: g *= min(1, clip / (norm + 1e-6))",
             "steps": 3}

BASE = {
    "vocab_size": 96, "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0, "rope_scaling": None, "tie_word_embeddings": False,
    "attention_bias": False, "use_qk_norm": False, "hidden_act": "silu",
    "max_position_embeddings": 64, "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32",
    "initializer_range": 0.1,
}
CONFIGS = {
    "gqa": {**BASE, "architectures": ["LlamaForCausalLM"], "model_type": "llama",
            "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                             "high_freq_factor": 4.0, "original_max_position_embeddings": 16}},
    "qwen2": {**BASE, "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
              "attention_bias": True, "tie_word_embeddings": True, "rope_theta": 1000000.0,
              "use_sliding_window": False, "sliding_window": None},
    "qwen3": {**BASE, "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3",
              "use_qk_norm": True, "head_dim": 32, "use_sliding_window": False, "sliding_window": None},
}
SEEDS = {"gqa": 1001, "qwen2": 1002, "qwen3": 1003}


def init_weights(model: LlamaForCausalLM, gen: torch.Generator):
    """normal(0, 0.1) for matrices/embeddings, 1 + 0.1 N for norm weights, 0.1 N for biases.
    Rounded to float32, so the stored F32 params are exactly the float64 run's starting point."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float64)
            if name.endswith("norm.weight"):
                value = 1.0 + 0.1 * noise
            else:  # 2-D weights and 1-D biases
                value = 0.1 * noise
            p.copy_(value.float().double())


def make_batch(vocab: int, gen: torch.Generator):
    input_ids = torch.randint(0, vocab, (B, T), generator=gen)
    position_ids = torch.zeros(B, T, dtype=torch.long)
    segment_ids = torch.zeros(B, T, dtype=torch.long)
    labels = torch.full((B, T), IGNORE_INDEX, dtype=torch.long)
    for b, lengths in enumerate(DOC_LENGTHS):
        assert sum(lengths) == T
        start = 0
        for seg, n in enumerate(lengths):
            position_ids[b, start:start + n] = torch.arange(n)
            segment_ids[b, start:start + n] = seg
            # next token within the document; the document's last token has no target
            labels[b, start:start + n - 1] = input_ids[b, start + 1:start + n]
            start += n
    # a few extra ignored targets
    for idx in torch.randperm(B * T, generator=gen)[:5].tolist():
        labels[idx // T, idx % T] = IGNORE_INDEX
    return input_ids, labels, position_ids, segment_ids


def build(name: str):
    hf = CONFIGS[name]
    torch.manual_seed(SEEDS[name])
    gen = torch.Generator().manual_seed(SEEDS[name])
    model = LlamaForCausalLM(LlamaConfig.from_hf(hf)).double()
    init_weights(model, gen)
    input_ids, labels, position_ids, segment_ids = make_batch(hf["vocab_size"], gen)
    names = [n for n, _ in model.named_parameters()]
    params = list(model.parameters())

    tensors = {
        "input_ids": input_ids.int(), "labels": labels.int(),
        "position_ids": position_ids.int(), "segment_ids": segment_ids.int(),
    }
    for n, p in zip(names, params):
        tensors["param." + n] = p.detach().clone().float()

    opt = torch.optim.AdamW(adamw_param_groups(model, OPTIMIZER["weight_decay"]), lr=OPTIMIZER["lr"],
                            betas=tuple(OPTIMIZER["betas"]), eps=OPTIMIZER["eps"])
    losses, grad_norms = [], []
    for step in range(OPTIMIZER["steps"]):
        opt.zero_grad(set_to_none=True)
        logits = model(input_ids, position_ids, segment_ids)
        loss = causal_lm_loss(logits, labels)
        loss.backward()
        if step == 0:
            tensors["logits"] = logits.detach().float()
            for n, p in zip(names, params):
                tensors["grad." + n] = p.grad.detach().clone().float()
        norm = torch.nn.utils.clip_grad_norm_(params, OPTIMIZER["grad_clip"])
        losses.append(loss.item())
        grad_norms.append(norm.item())
        opt.step()
    for n, p in zip(names, params):
        tensors["step3." + n] = p.detach().clone().float()

    metadata = {
        "config": json.dumps(hf, sort_keys=True),
        "loss": repr(losses[0]),
        "losses": json.dumps(losses),
        "grad_norms": json.dumps(grad_norms),
        "optimizer": json.dumps(OPTIMIZER, sort_keys=True),
    }
    return tensors, metadata


# ---------------------------------------------------------------------------------------------
# safetensors, by hand

DTYPES = {torch.float32: ("F32", "<f4"), torch.int32: ("I32", "<i4")}


def write_safetensors(path: str, tensors: dict, metadata: dict):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        dtype, np_dtype = DTYPES[t.dtype]
        data = t.numpy().astype(np_dtype).tobytes()  # explicit little-endian
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)  # 8-byte alignment of the data region
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures"))
    ap.add_argument("--only", choices=sorted(CONFIGS), action="append")
    args = ap.parse_args()
    torch.set_num_threads(1)  # fixed reduction order
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.only or sorted(CONFIGS):
        tensors, metadata = build(name)
        path = os.path.join(args.out_dir, f"llama-{name}.safetensors")
        write_safetensors(path, tensors, metadata)
        print(f"{os.path.normpath(path)}: {len(tensors)} tensors, {os.path.getsize(path)} bytes, "
              f"losses {metadata['losses']}, grad_norms {metadata['grad_norms']}")


if __name__ == "__main__":
    main()
