#!/usr/bin/python3
"""Writes the tiny RoBERTa / XLM-RoBERTa reference files the C# parity tests compare with.

Needs only Debian's python3-torch and python3-numpy (no transformers): the forward below is written from the
semantics of Hugging Face's modeling_roberta.py (RobertaEmbeddings with create_position_ids_from_input_ids,
BERT-style post-LayerNorm self-attention layers with exact GELU, the tanh pooler over the first token, and
RobertaForTokenClassification's linear classifier over the last hidden state). Weights are random, scaled so
that every parameter matters for the outputs.

Each model folder gets config.json, model.safetensors (written here from the format's specification),
pytorch_model.bin (torch.save), expected.json (inputs and outputs, float32 values printed exactly) and a tokenizer:
the RoBERTa folders a hand-made byte-level BPE pair (vocab.json + merges.txt), the XLM-R folder the SentencePiece
Unigram model trained on CoNLL-2003 text (tokenizers/conll-unigram.model, with python3-sentencepiece).

    /usr/bin/python3 tests/NerClassify.Tests/Reference/make_roberta_reference.py            # models + tokenizer references
    /usr/bin/python3 .../make_roberta_reference.py train-spm ../shared/data/conll2003/train.txt   # retrains the Unigram model
    /usr/bin/python3 .../make_roberta_reference.py encode MODEL IN.txt OUT.json             # what the CoNLL test runs
"""
import json
import math
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPM_MODEL = os.path.join(HERE, "tokenizers", "conll-unigram.model")

# XLM-R's fairseq layout over a SentencePiece model: <s> <pad> </s> <unk>, then piece i at i + 1, then <mask>.
FAIRSEQ_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]


def fairseq_id(spm_id):
    return 3 if spm_id == 0 else spm_id + 1


def bytes_to_unicode():
    # GPT-2's published byte-to-character table: printable Latin-1 bytes stand for themselves, the others are
    # shifted past 255 in byte order, so that every byte has a visible character.
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


# A hand-made merge list over GPT-2's byte characters (G-dot is the space byte): common English pieces.
HAND_MERGES = [
    "\u0120 t", "h e", "\u0120t he", "i n", "\u0120 a", "e r", "o n", "\u0120 s", "a t", "r e", "\u0120 w", "o r",
    "e n", "\u0120 c", "i s", "e s", "\u0120 o", "a n", "e d", "\u0120 b", "n g", "in g", "\u0120 in", "\u0120 f",
    "\u0120 m", "\u0120 p", "l e", "t he", "\u0120 L", "\u0120 G",
]


def write_hand_bpe(folder):
    table = bytes_to_unicode()
    vocab = {token: i for i, token in enumerate(FAIRSEQ_SPECIALS)}
    for b in range(256):
        vocab[table[b]] = len(vocab)
    for merge in HAND_MERGES:
        left, right = merge.split(" ")
        assert left in vocab and right in vocab, merge
        vocab[left + right] = len(vocab)
    vocab["<mask>"] = len(vocab)
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(HAND_MERGES) + "\n")
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "RobertaTokenizer", "add_prefix_space": True, "bos_token": "<s>", "eos_token": "</s>",
                   "cls_token": "<s>", "sep_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"}, f, indent=2)
    return len(vocab)


def write_spm(folder):
    import sentencepiece as spm
    # The model itself is not copied (tests copy tokenizers/conll-unigram.model in as sentencepiece.bpe.model).
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "XLMRobertaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>",
                   "sep_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"}, f, indent=2)
    return spm.SentencePieceProcessor(model_file=SPM_MODEL).get_piece_size() + 2


def conll_sentences(path):
    sentences, words = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("-DOCSTART-"):
                if words:
                    sentences.append(" ".join(words))
                    words = []
                continue
            words.append(line.split(" ")[0])
    if words:
        sentences.append(" ".join(words))
    return sentences


def train_spm(conll_train):
    import sentencepiece as spm
    text = os.path.join(HERE, "tokenizers", "train-text.tmp")
    with open(text, "w", encoding="utf-8") as f:
        f.write("\n".join(conll_sentences(conll_train)))
    try:
        # Unigram (XLM-R's model type), nmt_nfkc normalisation (XLM-R's), ids <unk>=0 <s>=1 </s>=2 (XLM-R's layout).
        spm.SentencePieceTrainer.train(input=text, model_prefix=SPM_MODEL[:-len(".model")], vocab_size=500, model_type="unigram",
                                       character_coverage=1.0, normalization_rule_name="nmt_nfkc", minloglevel=2)
    finally:
        os.remove(text)
        vocab = SPM_MODEL[:-len(".model")] + ".vocab"
        if os.path.exists(vocab):
            os.remove(vocab)


def encode_records(sp, texts):
    records = []
    for text in texts:
        words = text.split()
        word_ids = []
        for word in words:
            ids = [fairseq_id(i) for i in sp.encode(word, out_type=int)]
            word_ids.append(ids if ids else [3])  # the library's rule: a word that yields nothing is one <unk>
        records.append({
            "text": text,
            "ids": sp.encode(text, out_type=int),
            "pieces": sp.encode(text, out_type=str),
            "words": words,
            "word_ids": word_ids,
        })
    return records


def random_unicode(rng, count):
    ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x591, 0x5F4), (0x600, 0x6FF), (0x900, 0x97F),
              (0xE00, 0xE7F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x2100, 0x21FF), (0x3000, 0x30FF), (0x4E00, 0x4FFF),
              (0xAC00, 0xAD00), (0xFB00, 0xFB4F), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F), (0x1D400, 0x1D4FF), (0x0300, 0x036F)]
    texts = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(1, 40)):
            low, high = rng.choice(ranges)
            c = rng.randint(low, high)
            if 0xD800 <= c <= 0xDFFF or c in (0xFFFE, 0xFFFF):
                continue
            chars.append(chr(c))
            if rng.random() < 0.15:
                chars.append(rng.choice([" ", "  ", "\t", "\u00a0", "\u3000"]))
        texts.append("".join(chars))
    return texts


HAND_SENTENCES = [
    "EU rejects German call to boycott British lamb .",
    "Peter Blackburn",
    "BRUSSELS 1996-08-22",
    "Müller scored twice in São Paulo ; Ærøskøbing and Łódź followed .",
    "ＦＵＬＬＷＩＤＴＨ text , ligatures ﬁ ﬂ and ① ② .",
    "Москва , 東京 , 서울 , القاهرة , मुंबई .",
    "cafe\u0301 vs café",
    "",
    "   ",
]


def write_tokenizer_reference():
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=SPM_MODEL)
    rng = random.Random(20261204)
    texts = HAND_SENTENCES + random_unicode(rng, 300)
    reference = {"model": os.path.basename(SPM_MODEL), "piece_size": sp.get_piece_size(), "records": encode_records(sp, texts)}
    with open(os.path.join(HERE, "tokenizers", "conll-unigram.expected.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, ensure_ascii=True)

HERE = os.path.dirname(os.path.abspath(__file__))


def config(model_type, vocab_size, with_labels=None):
    c = {
        "architectures": ["XLMRobertaModel" if model_type == "xlm-roberta" else "RobertaModel"],
        "model_type": model_type,
        "vocab_size": vocab_size,
        "hidden_size": 16,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 32,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 26,
        "type_vocab_size": 1,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-05,
        "pad_token_id": 1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "position_embedding_type": "absolute",
    }
    if with_labels is not None:
        c["architectures"] = ["RobertaForTokenClassification"]
        c["id2label"] = {str(i): label for i, label in enumerate(with_labels)}
        c["label2id"] = {label: i for i, label in enumerate(with_labels)}
    return c


def random_encoder(c, generator, prefix, pooler):
    import torch

    h, i, v, p, t = c["hidden_size"], c["intermediate_size"], c["vocab_size"], c["max_position_embeddings"], c["type_vocab_size"]

    def normal(*shape, scale=0.5):
        return (torch.randn(*shape, generator=generator) * scale).float()

    def layer_norm(name):
        return {name + ".weight": 1.0 + normal(h, scale=0.1), name + ".bias": normal(h, scale=0.1)}

    s = {
        prefix + "embeddings.word_embeddings.weight": normal(v, h),
        prefix + "embeddings.position_embeddings.weight": normal(p, h),
        prefix + "embeddings.token_type_embeddings.weight": normal(t, h),
    }
    s.update(layer_norm(prefix + "embeddings.LayerNorm"))
    for layer in range(c["num_hidden_layers"]):
        l = f"{prefix}encoder.layer.{layer}."
        for name in ("query", "key", "value"):
            s[l + f"attention.self.{name}.weight"] = normal(h, h, scale=0.3)
            s[l + f"attention.self.{name}.bias"] = normal(h, scale=0.1)
        s[l + "attention.output.dense.weight"] = normal(h, h, scale=0.3)
        s[l + "attention.output.dense.bias"] = normal(h, scale=0.1)
        s.update(layer_norm(l + "attention.output.LayerNorm"))
        s[l + "intermediate.dense.weight"] = normal(i, h, scale=0.3)
        s[l + "intermediate.dense.bias"] = normal(i, scale=0.1)
        s[l + "output.dense.weight"] = normal(h, i, scale=0.3)
        s[l + "output.dense.bias"] = normal(h, scale=0.1)
        s.update(layer_norm(l + "output.LayerNorm"))
    if pooler:
        s[prefix + "pooler.dense.weight"] = normal(h, h, scale=0.3)
        s[prefix + "pooler.dense.bias"] = normal(h, scale=0.1)
    return s


def position_ids(input_ids, pad):
    import torch
    # RoBERTa: non-padding tokens are numbered from pad + 1, padding keeps pad.
    mask = input_ids.ne(pad).int()
    return (torch.cumsum(mask, dim=1).type_as(mask) * mask).long() + pad


def layer_norm(x, s, name, eps):
    import torch
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), s[name + ".weight"], s[name + ".bias"], eps)


def linear(x, s, name):
    return x @ s[name + ".weight"].T + s[name + ".bias"]


def forward(c, s, prefix, input_ids, attention_mask):
    import torch
    pad, eps = c["pad_token_id"], c["layer_norm_eps"]
    heads = c["num_attention_heads"]
    d = c["hidden_size"] // heads
    x = (s[prefix + "embeddings.word_embeddings.weight"][input_ids]
         + s[prefix + "embeddings.token_type_embeddings.weight"][torch.zeros_like(input_ids)]
         + s[prefix + "embeddings.position_embeddings.weight"][position_ids(input_ids, pad)])
    x = layer_norm(x, s, prefix + "embeddings.LayerNorm", eps)
    additive = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    b, t, _ = x.shape
    for layer in range(c["num_hidden_layers"]):
        l = f"{prefix}encoder.layer.{layer}."

        def split(y):
            return y.view(b, t, heads, d).permute(0, 2, 1, 3)

        q, k, v = (split(linear(x, s, l + f"attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive
        context = (torch.softmax(scores, dim=-1) @ v).permute(0, 2, 1, 3).reshape(b, t, c["hidden_size"])
        x = layer_norm(linear(context, s, l + "attention.output.dense") + x, s, l + "attention.output.LayerNorm", eps)
        inner = torch.nn.functional.gelu(linear(x, s, l + "intermediate.dense"))  # exact (erf) GELU
        x = layer_norm(linear(inner, s, l + "output.dense") + x, s, l + "output.LayerNorm", eps)
    pooled = torch.tanh(linear(x[:, 0], s, prefix + "pooler.dense")) if prefix + "pooler.dense.weight" in s else None
    return x, pooled


def write_safetensors(path, state):
    # The format: an 8-byte little-endian header length, a JSON header of dtype/shape/data_offsets, then the bytes.
    header, blobs, offset = {}, [], 0
    for name in sorted(state):
        data = state[name].contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(state[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def write_model(folder, model_type, seed, token_labels=None):
    import torch
    os.makedirs(folder, exist_ok=True)
    generator = torch.Generator().manual_seed(seed)
    vocab_size = write_spm(folder) if model_type == "xlm-roberta" else write_hand_bpe(folder)
    c = config(model_type, vocab_size, token_labels)
    token = token_labels is not None
    prefix = "roberta." if token else ""
    s = random_encoder(c, generator, prefix, pooler=not token)
    if token:
        s["classifier.weight"] = (torch.randn(len(token_labels), c["hidden_size"], generator=generator) * 0.5).float()
        s["classifier.bias"] = (torch.randn(len(token_labels), generator=generator) * 0.1).float()
    # Padding inside the batch (ids 1) and sequences of different lengths, the first token <s> = 0, the last </s> = 2.
    input_ids = torch.tensor([
        [0, 5, 17, 33, 259, 8, 2, 1, 1, 1],
        [0, 144, 2, 1, 1, 1, 1, 1, 1, 1],
        [0, 3, 9, 12, 270, 41, 150, 6, 21, 2],
    ])
    attention_mask = input_ids.ne(c["pad_token_id"]).long()
    with torch.no_grad():
        hidden, pooled = forward(c, s, prefix, input_ids, attention_mask)
        expected = {
            "input_ids": input_ids.tolist(),
            "attention_mask": attention_mask.tolist(),
            "position_ids": position_ids(input_ids, c["pad_token_id"]).tolist(),
            "last_hidden_state_shape": list(hidden.shape),
            "last_hidden_state": floats(hidden),
        }
        if pooled is not None:
            expected["pooled_output"] = floats(pooled)
        if token:
            logits = linear(hidden, s, "classifier")
            expected["logits_shape"] = list(logits.shape)
            expected["logits"] = floats(logits)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    write_safetensors(os.path.join(folder, "model.safetensors"), s)
    torch.save(s, os.path.join(folder, "pytorch_model.bin"))
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "train-spm":
        train_spm(sys.argv[2])
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "encode":
        import sentencepiece as spm
        with open(sys.argv[3], encoding="utf-8") as f:
            lines = f.read().split("\n")
        with open(sys.argv[4], "w", encoding="utf-8") as f:
            json.dump({"records": encode_records(spm.SentencePieceProcessor(model_file=sys.argv[2]), lines)}, f, ensure_ascii=True)
        sys.exit(0)
    write_tokenizer_reference()
    write_model(os.path.join(HERE, "tiny-roberta"), "roberta", seed=11)
    write_model(os.path.join(HERE, "tiny-xlm-roberta"), "xlm-roberta", seed=12)
    write_model(os.path.join(HERE, "tiny-roberta-token"), "roberta", seed=13, token_labels=["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
    print("written under", HERE)
