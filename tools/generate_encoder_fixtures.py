#!/usr/bin/env python3
"""Writes the encoder's golden fixtures into Fixtures/encoder/ (run once; outputs are committed).

Needs torch, transformers, sentence-transformers and safetensors (see tools/setup_reference_venv.sh)
and the MiniLM model directory (scripts/install-deps.sh). The Swift tests never run this script.

Outputs:
  tokens.json              >= 100 strings -> ids of BertTokenizerFast (what sentence-transformers uses)
                           and of the slow BertTokenizer, truncated to 256 ids like the model
  minilm_sentences.json    40 sentences (1 to 256+ tokens) + shapes
  minilm_embeddings.f32    their sentence-transformers embeddings (batch_size 8, padded batches)
  minilm_hidden.json       one sentence: its ids, and the names/shapes of the hidden states below
  minilm_hidden.f32        embedding output, layer-1 output and last layer output for that sentence
  i3_tiny/                 a random-weight I^3 checkpoint (2 layers, hidden 64, 4 heads) in the full
                           lm_q/lm_p/c_head/d_head/cls layout (F32/F16/BF16 tensors), its vocab.txt,
                           texts.json, reference query/passage vectors computed with HF BertModel +
                           BertLayer (cross-attention), and the same passage tower as a
                           sentence-transformers directory (st/) plus a separate head file (head.safetensors)
"""
import json, os, struct, sys, copy
import numpy as np
import torch
import transformers
import sentence_transformers
from transformers import BertConfig, BertModel, BertTokenizer, BertTokenizerFast
from transformers.models.bert.modeling_bert import BertLayer
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fixtures", "encoder")
MODEL = os.environ.get("I3_MODEL_DIR", os.path.join(ROOT, ".models", "all-MiniLM-L6-v2"))
torch.manual_seed(20260424)
torch.set_num_threads(2)


def write_f32(path, arr):
    np.asarray(arr, dtype="<f4").tofile(path)


# ---------------------------------------------------------------- strings for the tokenizer
PLAIN = [
    "The quick brown fox jumps over the lazy dog.",
    "This is an offline sentence embedding",
    "Another text to embed",
    "A dog is an animal that barks.",
    "Dense passage retrieval encodes queries and passages into vectors.",
    "The capital of France is Paris.",
    "What is the boiling point of water at sea level?",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "She sells sea shells by the sea shore.",
    "In 1969, Apollo 11 landed on the Moon.",
    "The mitochondria is the powerhouse of the cell.",
    "How do I reset my password?",
    "a small domesticated carnivorous mammal with soft fur",
    "the act of running quickly; a sprint",
    "Machine learning models require large amounts of training data.",
    "He said, \"Don't go there!\" and left.",
    "It's a well-known fact that 2+2=4.",
    "Email me at someone@example.com or visit https://example.org/path?q=1&x=2.",
    "Prices rose 3.5% in Q3 2024 ($1,234.56 per unit).",
    "unaffable tokenization",
    "HNSW vs IVF-PQ: 12.5% faster!",
    "Supercalifragilisticexpialidocious is a long word.",
    "The Transformer architecture relies on self-attention.",
    "Tokyo is the capital of Japan.",
    "Rock 'n' roll never dies...",
    "Semicolons; colons: dashes — and ellipses…",
    "Python's str.split() splits on whitespace.",
    "Line one\nLine two\r\nLine three",
    "ALL CAPS SENTENCE WITH SHOUTING",
    "MiXeD cAsE wOrDs",
]
SPECIAL = [
    "", " ", "   \t\n  ", "\u00a0", "a\u00a0b", "e-mail\tTAB  spaces\u00a0nbsp",
    "Café naïve résumé", "Ångström Øre Ærø", "Crème brûlée à la mode", "São Paulo, Zürich, Kraków",
    "Ελληνικά γράμματα ΣΑΣ", "Русский текст", "العربية", "עברית", "हिन्दी",
    "東京 is big", "我爱北京天安门", "日本語のテキスト", "한국어 텍스트", "中文English混合",
    "\u0000null\u0000byte", "control\u0001\u0002chars\u007f", "bad\ufffdreplacement",
    "zero\u200bwidth space", "soft\u00adhyphen", "line\u2028separator", "para\u2029separator",
    "em\u2003space and thin\u2009space", "tab\tseparated\tvalues",
    "¡Hola! ¿Qué tal?", "«quotes» „German“ ‘single’", "under_score snake_case",
    "a" * 99, "b" * 100, "c" * 101, "x" + "y" * 120 + " z", "##hash ##tags",
    "[CLS] [SEP] [MASK] [PAD] [UNK]", "hello [MASK] world", "a[MASK]b", "[mask] lower",
    "emoji 😀 and ☃ snowman", "math ∑ ∫ √ ≤ ≥ ≠", "currency € £ ¥ ₹", "fullwidth ＡＢＣ １２３",
    "ligature ﬁ ﬂ", "roman Ⅻ numerals", "superscript x² H₂O", "İstanbul ıi",
    "straße STRASSE", "ﬀ ligature", "Ǆemal", "combining e\u0301 a\u0300",
    "1,000,000.00", "3.14159265358979", "C++ C# F# .NET", "<html><body>tags</body></html>",
    "{\"json\": [1, 2, 3]}", "path/to/file.txt", "C:\\Windows\\System32",
    "#hashtag @mention", "~tilde `backtick` ^caret |pipe", "unbelievable antidisestablishmentarianism",
    "pneumonoultramicroscopicsilicovolcanoconiosis", "covid-19 sars-cov-2",
    "   leading and trailing spaces   ", "multiple     spaces", "\t\ttabs\t\t",
    "dr. smith's u.s.a. trip", "won't can't shouldn't", "naïve coöperate", "façade",
    "Ⓐ circled", "🇫🇷 flag", "👨‍👩‍👧 family", "a\u0000b\u0000c", "\ufeffBOM at start",
    "private\ue000use", "x\u0300\u0301\u0302", "ｶﾀｶﾅ half-width", "ㄱㄴㄷ jamo",
]
LONG = " ".join(PLAIN) * 4   # well over 256 tokens: truncation
TOKEN_STRINGS = PLAIN + SPECIAL + [LONG, "word " * 300]


def tokens_fixture():
    fast = BertTokenizerFast.from_pretrained(MODEL)
    slow = BertTokenizer.from_pretrained(MODEL)
    rows = []
    for t in TOKEN_STRINGS:
        f = fast(t, truncation=True, max_length=256)["input_ids"]
        s = slow(t, truncation=True, max_length=256)["input_ids"]
        rows.append({"text": t, "ids": f, "slow_ids": s})
    with open(os.path.join(OUT, "tokens.json"), "w", encoding="utf-8") as fh:
        json.dump({"max_length": 256, "generator": versions(), "cases": rows}, fh, ensure_ascii=False, indent=0)
    diff = sum(1 for r in rows if r["ids"] != r["slow_ids"])
    print(f"tokens: {len(rows)} strings, fast/slow differ on {diff}")


def versions():
    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__}


# ---------------------------------------------------------------- MiniLM embeddings
def minilm_fixture():
    from sentence_transformers import SentenceTransformer
    st = SentenceTransformer(MODEL, device="cpu")
    sents = PLAIN + [
        "word",
        "",
        "Short.",
        " ".join(PLAIN[:6]),
        " ".join(PLAIN[:12]),
        " ".join(PLAIN) * 2,            # truncated at 256 tokens
        "Café naïve résumé 東京 is big",
        "a " * 200,
        "The I^3 retriever adds implicit interaction on the passage side.",
        "zero-shot dense retrieval with pseudo-queries",
    ]
    emb = st.encode(sents, batch_size=8, convert_to_numpy=True, normalize_embeddings=False)
    write_f32(os.path.join(OUT, "minilm_embeddings.f32"), emb)
    lens = [len(st.tokenizer(s, truncation=True, max_length=256)["input_ids"]) for s in sents]
    with open(os.path.join(OUT, "minilm_sentences.json"), "w", encoding="utf-8") as fh:
        json.dump({"dimension": int(emb.shape[1]), "batch_size": 8, "token_counts": lens,
                   "generator": versions(), "sentences": sents}, fh, ensure_ascii=False, indent=0)
    print(f"minilm: {len(sents)} sentences, token counts {min(lens)}..{max(lens)}")

    # hidden states for one sentence
    tok = BertTokenizerFast.from_pretrained(MODEL)
    model = BertModel.from_pretrained(MODEL).eval()
    s = "The quick brown fox jumps over the lazy dog."
    enc = tok(s, return_tensors="pt")
    with torch.no_grad():
        out = model(**enc, output_hidden_states=True)
    hs = out.hidden_states
    picks = [0, 1, len(hs) - 1]
    arr = np.concatenate([hs[i][0].numpy().reshape(-1) for i in picks])
    write_f32(os.path.join(OUT, "minilm_hidden.f32"), arr)
    with open(os.path.join(OUT, "minilm_hidden.json"), "w") as fh:
        json.dump({"text": s, "ids": enc["input_ids"][0].tolist(), "layers": picks,
                   "tokens": int(hs[0].shape[1]), "hidden": int(hs[0].shape[2])}, fh)


# ---------------------------------------------------------------- tiny I^3 checkpoint
I3_TEXTS_Q = ["what is a dog", "capital of france", "how do plants make food", "who landed on the moon",
              "reset password", "boiling point of water"]
I3_TEXTS_P = ["A dog is an animal that barks.", "The capital of France is Paris.",
              "Photosynthesis converts light energy into chemical energy stored in glucose.",
              "In 1969, Apollo 11 landed on the Moon.", "How do I reset my password?",
              "Water boils at 100 degrees at sea level, unless the pressure is different.", "",
              "zebra quokka unknownword"]


def tiny_vocab():
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)] + list("0123456789.,?!'-")
    cont = ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    words = sorted({w for t in I3_TEXTS_Q + I3_TEXTS_P for w in
                    BertTokenizer(os.path.join(MODEL, "vocab.txt")).basic_tokenizer.tokenize(t)
                    if len(w) > 1 and w not in ("quokka", "zebra", "unknownword")})
    extra = ["##s", "##ing", "##ed", "the", "is"]
    seen, vocab = set(), []
    for t in specials + letters + cont + words + extra:
        if t not in seen:
            seen.add(t); vocab.append(t)
    return vocab


def rand_(model, std):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(std * torch.randn_like(p))


def round_to(t, dtype):
    return t.to(dtype).to(torch.float32)


def i3_fixture():
    d = os.path.join(OUT, "i3_tiny")
    os.makedirs(os.path.join(d, "st", "1_Pooling"), exist_ok=True)
    vocab = tiny_vocab()
    with open(os.path.join(d, "vocab.txt"), "w") as fh:
        fh.write("\n".join(vocab) + "\n")
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=128, max_position_embeddings=64, type_vocab_size=2,
                     hidden_act="gelu", layer_norm_eps=1e-12, pad_token_id=0,
                     hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    dec_cfg = copy.deepcopy(cfg); dec_cfg.is_decoder = True; dec_cfg.add_cross_attention = True
    lm_q = BertModel(cfg, add_pooling_layer=False).eval(); rand_(lm_q, 0.2)
    lm_p = BertModel(cfg, add_pooling_layer=False).eval(); rand_(lm_p, 0.2)
    c_head = BertLayer(dec_cfg).eval(); rand_(c_head, 0.2)
    d_head = BertLayer(cfg).eval(); rand_(d_head, 0.2)
    from transformers.models.bert.modeling_bert import BertOnlyMLMHead
    cls = BertOnlyMLMHead(cfg).eval(); rand_(cls, 0.2)

    # dtypes on disk: lm_q F32, lm_p and heads F16, cls BF16; the reference uses the rounded weights.
    state, dtypes = {}, {}
    for prefix, mod, dt in [("lm_q.", lm_q, torch.float32), ("lm_p.", lm_p, torch.float16),
                            ("c_head.0.", c_head, torch.float16), ("d_head.0.", d_head, torch.bfloat16),
                            ("cls.", cls, torch.bfloat16)]:
        with torch.no_grad():
            for k, v in mod.state_dict().items():
                if k.endswith("position_ids"):
                    continue
                state[prefix + k] = v.detach().to(dt).contiguous()
                v.copy_(round_to(v, dt)) if v.dtype == torch.float32 else None
    L, qmax, pmax = 32, 16, 48
    meta = {"format": "pt", "i3.config": cfg.to_json_string(use_diff=False),
            "i3.pseudo_query_length": str(L), "i3.query_max_length": str(qmax),
            "i3.passage_max_length": str(pmax)}
    save_file(state, os.path.join(d, "model.safetensors"), metadata=meta)

    tok = BertTokenizer(os.path.join(d, "vocab.txt"), do_lower_case=True)
    with torch.no_grad():
        eq = tok(I3_TEXTS_Q, padding=True, truncation=True, max_length=qmax, return_tensors="pt")
        q = lm_q(**eq).last_hidden_state[:, 0]
        ep = tok(I3_TEXTS_P, padding=True, truncation=True, max_length=pmax, return_tensors="pt")
        h = lm_p(**ep).last_hidden_state[:, 0]
        hq = lm_p(**eq).last_hidden_state[:, 0]     # the ST-directory form: one tower for both sides
        ids = torch.tensor([[tok.cls_token_id] + [tok.mask_token_id] * (L - 2) + [tok.sep_token_id]])
        E = lm_p.embeddings(input_ids=ids).expand(h.shape[0], L, cfg.hidden_size)
        Z = c_head(E, attention_mask=None, encoder_hidden_states=h.unsqueeze(1))[0]
        zbar = Z.mean(dim=1)
        p = d_head(torch.stack([h, zbar], dim=1))[0][:, 0]
    write_f32(os.path.join(d, "query_vectors.f32"), q.numpy())
    write_f32(os.path.join(d, "passage_vectors.f32"), p.numpy())
    write_f32(os.path.join(d, "passage_cls.f32"), h.numpy())
    write_f32(os.path.join(d, "st_query_vectors.f32"), hq.numpy())
    with open(os.path.join(d, "texts.json"), "w") as fh:
        json.dump({"queries": I3_TEXTS_Q, "passages": I3_TEXTS_P, "dimension": cfg.hidden_size,
                   "pseudo_query_length": L, "query_max_length": qmax, "passage_max_length": pmax,
                   "query_token_ids": [tok(t, truncation=True, max_length=qmax)["input_ids"] for t in I3_TEXTS_Q],
                   "passage_token_ids": [tok(t, truncation=True, max_length=pmax)["input_ids"] for t in I3_TEXTS_P],
                   "generator": versions()}, fh, indent=0)

    # the passage tower as a sentence-transformers directory (CLS pooling, no Normalize) + head file
    st = os.path.join(d, "st")
    save_file({k[len("lm_p."):]: v for k, v in state.items() if k.startswith("lm_p.")},
              os.path.join(st, "model.safetensors"), metadata={"format": "pt"})
    save_file({k: v for k, v in state.items() if k.startswith(("c_head.", "d_head."))},
              os.path.join(d, "head.safetensors"),
              metadata={"format": "pt", "i3.pseudo_query_length": str(L), "i3.num_attention_heads": "4"})
    cfg_st = cfg.to_dict(); cfg_st["architectures"] = ["BertModel"]
    with open(os.path.join(st, "config.json"), "w") as fh:
        json.dump(cfg_st, fh, indent=1)
    with open(os.path.join(st, "vocab.txt"), "w") as fh:
        fh.write("\n".join(vocab) + "\n")
    with open(os.path.join(st, "modules.json"), "w") as fh:
        json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}], fh)
    with open(os.path.join(st, "sentence_bert_config.json"), "w") as fh:
        json.dump({"max_seq_length": pmax, "do_lower_case": False}, fh)
    with open(os.path.join(st, "1_Pooling", "config.json"), "w") as fh:
        json.dump({"word_embedding_dimension": 64, "pooling_mode_cls_token": True,
                   "pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": False,
                   "pooling_mode_mean_sqrt_len_tokens": False}, fh)
    print(f"i3_tiny: vocab {len(vocab)}, {len(state)} tensors")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    tokens_fixture()
    minilm_fixture()
    i3_fixture()
