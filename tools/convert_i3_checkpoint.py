#!/usr/bin/env python3
"""Converts a released I^3 PyTorch state dict (III_finetuned.p / III_distilled.p from the Hugging Face
dataset qian/III-Retriever) into the safetensors checkpoint that `DualEncoder(i3Checkpoint:vocabulary:)`
and `i3 embed --checkpoint` read.

    .venv-ref/bin/python tools/convert_i3_checkpoint.py III_finetuned.p III_finetuned.safetensors
    # then: i3 embed --checkpoint III_finetuned.safetensors --vocab <bert-base-uncased vocab.txt>

Needs torch (to unpickle the .p file) and safetensors; see tools/setup_reference_venv.sh.
Keys kept: lm_q.*, lm_p.*, c_head.0.*, d_head.0.*, cls.* (a leading "module." from DDP is removed;
position_ids buffers and poolers are dropped). The BERT configuration is inferred from the tensor
shapes (heads from --heads, default hidden/64) and stored as JSON in the `i3.config` metadata entry,
with `i3.pseudo_query_length` (32), `i3.query_max_length` (32) and `i3.passage_max_length` (140),
the values of the released training scripts.
"""
import argparse, json, re, sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="PyTorch state dict (.p / .pt / .bin)")
    ap.add_argument("output", help="safetensors file to write")
    ap.add_argument("--heads", type=int, default=0, help="attention heads (default hidden/64)")
    ap.add_argument("--dtype", choices=["f32", "f16", "bf16"], default="f32")
    ap.add_argument("--pseudo-query-length", type=int, default=32)
    ap.add_argument("--query-max-length", type=int, default=32)
    ap.add_argument("--passage-max-length", type=int, default=140)
    a = ap.parse_args()

    import torch
    from safetensors.torch import save_file
    sd = torch.load(a.input, map_location="cpu")
    for key in ("state_dict", "model"):
        if isinstance(sd, dict) and key in sd and isinstance(sd[key], dict):
            sd = sd[key]
    dtype = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}[a.dtype]
    out = {}
    for k, v in sd.items():
        k = k[len("module."):] if k.startswith("module.") else k
        if not k.startswith(("lm_q.", "lm_p.", "c_head.0.", "d_head.0.", "cls.")):
            print(f"skipping {k}", file=sys.stderr)
            continue
        if k.endswith("position_ids") or ".pooler." in k:
            continue
        out[k] = v.detach().to(dtype).contiguous()
    for need in ("lm_q.embeddings.word_embeddings.weight", "lm_p.embeddings.word_embeddings.weight",
                 "c_head.0.crossattention.self.value.weight", "d_head.0.attention.self.query.weight"):
        if need not in out:
            sys.exit(f"{a.input}: missing {need}; is this an I^3 DualEncoder state dict?")

    vocab, hidden = out["lm_q.embeddings.word_embeddings.weight"].shape
    layers = 1 + max(int(m.group(1)) for k in out for m in [re.match(r"lm_q\.encoder\.layer\.(\d+)\.", k)] if m)
    config = {
        "vocab_size": int(vocab), "hidden_size": int(hidden), "num_hidden_layers": layers,
        "num_attention_heads": a.heads or int(hidden) // 64,
        "intermediate_size": int(out["lm_q.encoder.layer.0.intermediate.dense.weight"].shape[0]),
        "max_position_embeddings": int(out["lm_q.embeddings.position_embeddings.weight"].shape[0]),
        "type_vocab_size": int(out["lm_q.embeddings.token_type_embeddings.weight"].shape[0]),
        "layer_norm_eps": 1e-12, "hidden_act": "gelu", "position_embedding_type": "absolute",
    }
    meta = {"format": "pt", "i3.config": json.dumps(config),
            "i3.pseudo_query_length": str(a.pseudo_query_length),
            "i3.query_max_length": str(a.query_max_length),
            "i3.passage_max_length": str(a.passage_max_length)}
    save_file(out, a.output, metadata=meta)
    print(f"wrote {a.output}: {len(out)} tensors, config {json.dumps(config)}")


if __name__ == "__main__":
    main()
