#!/usr/bin/env python3
"""PyTorch peer of `I3Bench train-step`: forward + backward of one dual-encoder training step
(shared MiniLM tower, mean pooling + L2, InfoNCE with scale 20 over in-batch + 1 hard negative),
same model, batch shapes, token ids and thread count. Prints tokens/s as JSON.

Usage: .venv-st/bin/python tools/train/bench_torch_step.py --model .models/all-MiniLM-L6-v2 \
           --queries 16 --query-length 16 --group 2 --passage-length 128 --threads 2 --steps 5
Token ids: (i * 7919 + j * 104729) % (vocab - 1000) + 1000 for sequence i, position j, with [CLS]/[SEP]
at the ends -- the same formula as the Swift benchmark.
"""
import argparse, json, time
import torch
from transformers import AutoModel

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--queries", type=int, default=16)
p.add_argument("--query-length", type=int, default=16)
p.add_argument("--group", type=int, default=2)
p.add_argument("--passage-length", type=int, default=128)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=5)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
model = AutoModel.from_pretrained(a.model)
model.train()
for m in model.modules():          # no dropout: the Swift trainer has none
    if isinstance(m, torch.nn.Dropout):
        m.p = 0.0
vocab = model.config.vocab_size

def ids(n, length, offset):
    rows = []
    for i in range(n):
        body = [((i + offset) * 7919 + j * 104729) % (vocab - 1000) + 1000 for j in range(length - 2)]
        rows.append([101] + body + [102])
    return torch.tensor(rows)

q = ids(a.queries, a.query_length, 0)
ps = ids(a.queries * a.group, a.passage_length, 100000)

def encode(x):
    h = model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state
    return torch.nn.functional.normalize(h.mean(dim=1), dim=-1)

def step():
    model.zero_grad(set_to_none=False)
    s = 20 * encode(q) @ encode(ps).T
    loss = torch.nn.functional.cross_entropy(s, torch.arange(a.queries) * a.group)
    loss.backward()
    return float(loss)

step()  # warm-up
t = time.perf_counter()
for _ in range(a.steps):
    loss = step()
dt = (time.perf_counter() - t) / a.steps
tokens = q.numel() + ps.numel()
print(json.dumps({"peer": "pytorch", "torch": torch.__version__, "threads": a.threads, "tokens_per_step": tokens,
                  "seconds_per_step": dt, "tokens_per_second": tokens / dt, "loss": loss}))
