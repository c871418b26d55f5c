#!/usr/bin/env python3
"""Encodes the texts of Fixtures/encoder/i3_tiny/texts.json with a Swift-trained model directory
(Fixtures/training/tiny_trained, written by `i3 train`) using sentence-transformers itself, and applies
its I^3 head with Hugging Face BertLayer modules; writes the expected vectors next to the model:
  st_query_vectors.f32    SentenceTransformer(dir).encode(queries)
  st_passage_vectors.f32  SentenceTransformer(dir).encode(passages)
  head_passage_vectors.f32  the head (c_head.0 / d_head.0 from i3_head.safetensors) on the passage vectors
Run by tools/train/generate_trained_fixture.sh."""
import copy, json, os, sys
import numpy as np
import torch
from safetensors.torch import load_file
from sentence_transformers import SentenceTransformer
from transformers import BertConfig, BertModel
from transformers.models.bert.modeling_bert import BertLayer

d = sys.argv[1]
texts = json.load(open(sys.argv[2]))
st = SentenceTransformer(d, device="cpu")
q = st.encode(texts["queries"], convert_to_numpy=True, batch_size=4)
p = st.encode(texts["passages"], convert_to_numpy=True, batch_size=4)
q.astype("<f4").tofile(os.path.join(d, "st_query_vectors.f32"))
p.astype("<f4").tofile(os.path.join(d, "st_passage_vectors.f32"))

cfg = BertConfig.from_pretrained(d)
cfg.hidden_dropout_prob = cfg.attention_probs_dropout_prob = 0.0
cfg._attn_implementation = "eager"
head = load_file(os.path.join(d, "i3_head.safetensors"))
dec = copy.deepcopy(cfg); dec.is_decoder = True; dec.add_cross_attention = True
c_head, d_head = BertLayer(dec).eval(), BertLayer(cfg).eval()
c_head.load_state_dict({k[len("c_head.0."):]: v for k, v in head.items() if k.startswith("c_head.0.")})
d_head.load_state_dict({k[len("d_head.0."):]: v for k, v in head.items() if k.startswith("d_head.0.")})
bert = BertModel.from_pretrained(d, add_pooling_layer=False).eval()
tok = st.tokenizer
L = 32
with torch.no_grad():
    h = torch.from_numpy(p)
    ids = torch.tensor([[tok.cls_token_id] + [tok.mask_token_id] * (L - 2) + [tok.sep_token_id]])
    E = bert.embeddings(input_ids=ids).expand(h.shape[0], L, cfg.hidden_size)
    first = lambda r: r[0] if isinstance(r, tuple) else r   # transformers < 5 returns tuples
    Z = first(c_head(E, attention_mask=None, encoder_hidden_states=h.unsqueeze(1)))
    out = first(d_head(torch.stack([h, Z.mean(dim=1)], dim=1)))[:, 0]
out.numpy().astype("<f4").tofile(os.path.join(d, "head_passage_vectors.f32"))
import sentence_transformers, transformers
json.dump({"sentence_transformers": sentence_transformers.__version__, "transformers": transformers.__version__,
           "torch": torch.__version__}, open(os.path.join(d, "generator.json"), "w"))
print("wrote expected vectors", q.shape, p.shape)
