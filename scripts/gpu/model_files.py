"""Files for scripts/gpu/model_check.cpp (midtrain_model_check), which runs the CUDA model with no Node.

config.kv: the Hugging Face config as `key=value` lines, with the engine's defaults made explicit (head_dim,
attention_bias for qwen2, qk_norm for qwen3), as src/model/config.ts derives them. params.txt/params.bin:
"name numel" lines and the fp32 values in that order. batches.txt + *.i32: the batch sizes, the AdamW
hyperparameters and int32 token/label arrays.

    python3 scripts/gpu/model_files.py config models/llama-1b.json OUT.kv     (for `bench --config`)
"""

import json
import os
import sys

import numpy as np


def config_kv(cfg):
    """The engine's view of an HF config dict as key=value text."""
    t = cfg.get("model_type", "llama")
    heads = cfg["num_attention_heads"]
    out = {
        "vocab_size": cfg["vocab_size"],
        "hidden_size": cfg["hidden_size"],
        "intermediate_size": cfg["intermediate_size"],
        "num_hidden_layers": cfg["num_hidden_layers"],
        "num_attention_heads": heads,
        "num_key_value_heads": cfg.get("num_key_value_heads") or heads,
        "head_dim": cfg.get("head_dim") or cfg["hidden_size"] // heads,
        "rms_norm_eps": cfg.get("rms_norm_eps", 1e-6),
        "rope_theta": cfg.get("rope_theta", 10000.0),
        "tie_word_embeddings": bool(cfg.get("tie_word_embeddings", False)),
        "attention_bias": bool(cfg.get("attention_bias", t == "qwen2")),
        "qk_norm": bool(t == "qwen3" or cfg.get("qk_norm", False)),
    }
    rs = cfg.get("rope_scaling")
    if rs:
        out["rope_type"] = rs.get("rope_type", rs.get("type", "default"))
        for k in ("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"):
            if k in rs:
                out[k] = rs[k]
    return "".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}\n" for k, v in out.items())


def write_model(d, cfg, named_tensors):
    """config.kv, params.txt and params.bin in d; named_tensors: (name, tensor) pairs (torch)."""
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.kv"), "w") as f:
        f.write(config_kv(cfg))
    names = []
    with open(os.path.join(d, "params.bin"), "wb") as f:
        for name, t in named_tensors:
            a = t.detach().cpu().float().contiguous().numpy()
            f.write(a.astype("<f4").tobytes())
            names.append((name, a.size))
    with open(os.path.join(d, "params.txt"), "w") as f:
        f.writelines(f"{n} {k}\n" for n, k in names)
    return names


def write_batches(d, B, T, hyper, grad_batch, step_batches):
    """batches.txt and the int32 arrays; batches are (ids, labels) tensors of [B, T]."""
    with open(os.path.join(d, "batches.txt"), "w") as f:
        f.write(f"{B} {T} {len(step_batches)}\n")
        f.write(" ".join(str(hyper[k]) for k in ("lr", "beta1", "beta2", "eps", "weightDecay", "gradClip")) + "\n")

    def dump(name, ts):
        np.concatenate([t.reshape(-1).numpy().astype("<i4") for t in ts]).tofile(os.path.join(d, name))

    dump("grad_ids.i32", [grad_batch[0]])
    dump("grad_labels.i32", [grad_batch[1]])
    dump("step_ids.i32", [b[0] for b in step_batches])
    dump("step_labels.i32", [b[1] for b in step_batches])


def read_result(d, names):
    """result.txt as a dict and grads.bin as {name: float32 array}."""
    res = {}
    for line in open(os.path.join(d, "result.txt")):
        k, *v = line.split()
        res[k] = v
    flat = np.fromfile(os.path.join(d, "grads.bin"), dtype="<f4")
    grads, off = {}, 0
    for n, k in names:
        grads[n] = flat[off:off + k]
        off += k
    return {
        "device": res["device"][0],
        "loss": float(res["loss"][0]),
        "count": int(res["count"][0]),
        "grad_norm": float(res["grad_norm"][0]),
        "step_losses": [float(x) for x in res["step_losses"]],
        "recompute": res["recompute"][0],
        "plan_bytes": int(res["plan_bytes"][0]),
        "grads": grads,
    }


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "config":
        sys.exit("usage: model_files.py config HF_CONFIG.json OUT.kv")
    with open(sys.argv[3], "w") as f:
        f.write(config_kv(json.load(open(sys.argv[2]))))
