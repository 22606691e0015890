"""Tests of the Python tools (format, tokenizer, exporter, loader, goldens).

    /usr/bin/python3 -m unittest discover -s tools -p 'test_*.py' -v
"""

from __future__ import annotations

import base64
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(HERE)
GOLDEN = os.path.join(ROOT, "tests", "data", "golden")
EXAMPLES = os.path.join(ROOT, "models", "examples")
SCHEMA = os.path.join(ROOT, "models", "schema", "model.schema.json")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from attnscope_format import (FormatError, Tokenizer, TokenizeError, decode_tensor,  # noqa: E402
                              encode_tensor, read_document, validate_document)
from attnscope_reference import reference_forward  # noqa: E402
from attnscope_torch import (AttnScopeTransformer, capture_attention, load_model,  # noqa: E402
                             save_checkpoint, sinusoidal_table)
from export_torch import export_model, export_parts  # noqa: E402

torch.set_num_threads(1)

try:
    import jsonschema
except ImportError:  # pragma: no cover
    jsonschema = None


def load_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def arch(**kw):
    a = {"type": "encoder", "d_model": 8, "n_heads": 2, "d_ff": 12, "encoder_layers": 1,
         "decoder_layers": 0, "activation": "relu", "norm": "post", "layer_norm_eps": 1e-5,
         "positional": "sinusoidal", "max_len": 10, "bias": True, "tied_output": False}
    a.update(kw)
    return a


CHAR_TOK = {"type": "char", "vocab": ["<pad>", "<unk>", "<s>", "</s>", "[MASK]", "a", "b", "c", " "],
            "special_tokens": {"pad": "<pad>", "unk": "<unk>", "bos": "<s>", "eos": "</s>",
                               "mask": "[MASK]"}}


class TokenizerTest(unittest.TestCase):
    def test_char_code_points_and_specials(self):
        t = Tokenizer({"type": "char", "vocab": ["<unk>", "é", "😀", "a", "[MASK]", "[M"],
                       "special_tokens": {"unk": "<unk>", "mask": "[MASK]"}})
        self.assertEqual(t.tokenize("é😀a"), ["é", "😀", "a"])
        self.assertEqual(t.tokenize("a[MASK]a"), ["a", "[MASK]", "a"])
        self.assertEqual(t.encode("a[MASK]b"), [3, 4, 0])
        # verbatim only: not recognised in another case
        self.assertEqual(t.tokenize("[mask]"), list("[mask]"))
        self.assertEqual(t.tokenize("<unk>"), ["<unk>"])

    def test_longest_special_wins(self):
        t = Tokenizer({"type": "char", "vocab": ["<s>", "<s>>", ">"],
                       "special_tokens": {"bos": "<s>", "eos": "<s>>"}})
        self.assertEqual(t.tokenize("<s>><s>"), ["<s>>", "<s>"])

    def test_lowercase_ascii_only(self):
        t = Tokenizer({"type": "char", "lowercase": True, "vocab": ["<unk>", "a", "é", "É", "[MASK]"],
                       "special_tokens": {"unk": "<unk>", "mask": "[MASK]"}})
        self.assertEqual(t.tokenize("AÉé[MASK]"), ["a", "É", "é", "[MASK]"])

    def test_word_punctuation(self):
        t = Tokenizer({"type": "word", "lowercase": True, "vocab": ["<unk>", "it", "'", "s", "!", "[MASK]"],
                       "special_tokens": {"unk": "<unk>", "mask": "[MASK]"}})
        self.assertEqual(t.tokenize("It's\t [MASK]!  x"), ["it", "'", "s", "[MASK]", "!", "x"])
        self.assertEqual(t.encode("It's x"), [1, 2, 3, 0])
        t2 = Tokenizer({"type": "word", "split_punctuation": False, "vocab": ["<unk>", "don't"],
                        "special_tokens": {"unk": "<unk>"}})
        self.assertEqual(t2.tokenize(" don't  stop.\n"), ["don't", "stop."])
        self.assertEqual(t2.tokenize("   "), [])
        # white space is ASCII white space only (NBSP is part of a word)
        self.assertEqual(t2.tokenize("a\u00a0b c"), ["a\u00a0b", "c"])

    def test_unknown_without_unk_is_an_error(self):
        t = Tokenizer({"type": "char", "vocab": ["a"], "special_tokens": {}})
        with self.assertRaises(TokenizeError):
            t.encode("ab")

    def test_prefix_suffix_and_target(self):
        t = Tokenizer({"type": "char", "vocab": ["<unk>", "[CLS]", "[SEP]", "a"],
                       "target_vocab": ["<unk>", "<s>", "x"],
                       "special_tokens": {"unk": "<unk>", "cls": "[CLS]", "sep": "[SEP]", "bos": "<s>"},
                       "source_prefix": ["cls"], "source_suffix": ["sep"]})
        self.assertEqual(t.encode_source("aa"), [1, 3, 3, 2])
        self.assertEqual(t.encode_target("xa<s>"), [2, 0, 1])
        # [CLS] is not in the target vocabulary: plain text there
        self.assertEqual(t.tokenize("[CLS]", "target"), list("[CLS]"))


class TensorTest(unittest.TestCase):
    def test_b64_bit_exact(self):
        a = np.array([[1.0, -0.0, 1e-45, 3.4028235e38], [0.1, -2.5, 7.0, np.pi]], dtype=np.float32)
        obj = encode_tensor(a, "b64")
        back = decode_tensor(obj, "/x")
        self.assertTrue(np.array_equal(back.view(np.uint32), a.view(np.uint32)))
        self.assertEqual(encode_tensor(np.array([1, 2, 3, 4, 5, 6], np.float32).reshape(2, 3))["b64"],
                         "AACAPwAAAEAAAEBAAACAQAAAoEAAAMBA")  # the spec's example

    def test_data_exact(self):
        a = np.random.default_rng(0).standard_normal(100).astype(np.float32)
        obj = json.loads(json.dumps(encode_tensor(a, "data")))
        self.assertTrue(np.array_equal(decode_tensor(obj, "/x"), a))

    def test_errors(self):
        with self.assertRaisesRegex(FormatError, r"^/x/b64: invalid base64 at character 2$"):
            decode_tensor({"shape": [1], "b64": "AA*A"}, "/x")
        with self.assertRaisesRegex(FormatError, r"^/x/data: expected 2 values, got 1$"):
            decode_tensor({"shape": [2], "data": [1]}, "/x")
        with self.assertRaisesRegex(FormatError, r"^/x/data/1: value is not finite$"):
            decode_tensor({"shape": [2], "data": [1, 1e39]}, "/x")
        inf = base64.b64encode(np.array([1, np.inf], "<f4").tobytes()).decode()
        with self.assertRaisesRegex(FormatError, "not finite"):
            decode_tensor({"shape": [2], "b64": inf}, "/x")


def _tiny_doc():
    return load_json(os.path.join(EXAMPLES, "tiny-encoder.json"))


class ValidateTest(unittest.TestCase):
    def check(self, mutate, pattern):
        doc = _tiny_doc()
        mutate(doc)
        with self.assertRaisesRegex(FormatError, pattern):
            validate_document(doc, "m.json")

    def test_messages(self):
        self.check(lambda d: d.update(format="x"), r'^m.json: /format: expected "attnscope-model"$')
        self.check(lambda d: d.update(version=2), r"^m.json: /version: unsupported version 2")
        self.check(lambda d: d["architecture"].pop("d_model"),
                   r"^m.json: /architecture/d_model: missing required key$")
        self.check(lambda d: d["architecture"].update(d_model="4"),
                   r"^m.json: /architecture/d_model: expected integer, got string$")
        self.check(lambda d: d["architecture"].update(activation="swish"),
                   r'^m.json: /architecture/activation: expected one of relu, gelu, got "swish"$')
        self.check(lambda d: d["architecture"].update(n_heads=3),
                   r"^m.json: /architecture/n_heads: d_model 4 is not divisible by n_heads 3$")
        self.check(lambda d: d["weights"].pop("encoder.layers.0.linear1.weight"),
                   r"^m.json: /weights/encoder.layers.0.linear1.weight: missing tensor$")
        self.check(lambda d: d["weights"].update({"encoder.layers.9.norm1.weight": {"shape": [4], "data": [1, 1, 1, 1]}}),
                   r"^m.json: /weights/encoder.layers.9.norm1.weight: unexpected tensor")
        self.check(lambda d: d["weights"]["encoder.embed.weight"].update(shape=[4, 8]),
                   r"^m.json: /weights/encoder.embed.weight: expected shape \[8, 4\], got \[4, 8\]$")
        self.check(lambda d: d["weights"]["lm_head.bias"]["data"].pop(),
                   r"^m.json: /weights/lm_head.bias/data: expected 8 values, got 7$")
        self.check(lambda d: d["tokenizer"]["special_tokens"].update(eos="</s>"),
                   r'^m.json: /tokenizer/special_tokens/eos: token "</s>" is not in the vocabulary$')

    def test_bias_false_has_no_head_bias(self):
        self.check(lambda d: d["architecture"].update(bias=False), r"unexpected tensor")


@unittest.skipIf(jsonschema is None, "python3-jsonschema not installed")
class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        schema = load_json(SCHEMA)
        jsonschema.Draft202012Validator.check_schema(schema)
        cls.v = jsonschema.Draft202012Validator(schema)

    def test_all_model_files_valid(self):
        files = glob.glob(os.path.join(EXAMPLES, "*.json")) + glob.glob(os.path.join(GOLDEN, "*.model.json"))
        self.assertGreaterEqual(len(files), 9)
        for f in files:
            errors = [e.message for e in self.v.iter_errors(load_json(f))]
            self.assertEqual(errors, [], f)

    def test_broken_files_rejected(self):
        def bad(mutate):
            d = _tiny_doc()
            mutate(d)
            self.assertFalse(self.v.is_valid(d))
        bad(lambda d: d.update(version=2))
        bad(lambda d: d["architecture"].update(norm="middle"))
        bad(lambda d: d["architecture"].update(decoder_layers=1))
        bad(lambda d: d["tokenizer"]["special_tokens"].update(boss="<s>"))
        bad(lambda d: d["tokenizer"].update(target_vocab=["a"]))
        bad(lambda d: d["weights"]["lm_head.bias"].update(b64="AAAA"))
        bad(lambda d: d["weights"].update({"decoder.embed.weight": {"shape": [1], "data": [0]}}))
        bad(lambda d: d["weights"].update({"encoder.layers.0.ffn.weight": {"shape": [1], "data": [0]}}))
        bad(lambda d: d["weights"].update({"lm_head.weight": {"shape": [8, 4], "data": [0] * 32}}))
        bad(lambda d: d["tokenizer"].update(vocab=["a", "a"]))


def _random_model(a, tok, seed=0):
    torch.manual_seed(seed)
    m = AttnScopeTransformer.from_config(a, tok)
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.1 * torch.randn_like(p))
    m.tie_weights()
    return m.eval()


class ExportTest(unittest.TestCase):
    def roundtrip(self, a, tok, src, tgt=None, encoding="b64"):
        m = _random_model(a, tok)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.json")
            export_model(m, tok, path, name="t", encoding=encoding)
            back, _, doc = load_model(path)
            _, weights = read_document(path)
        with torch.no_grad():
            y, z = m(src, tgt), back(src, tgt)
        self.assertTrue(torch.equal(y, z))
        ref = reference_forward(doc["architecture"], weights, src, tgt)["logits"]
        self.assertLess(float(np.abs(ref - y.numpy()).max()), 1e-5)

    def test_all_kinds(self):
        tok2 = dict(CHAR_TOK, target_vocab=["<s>", "</s>", "x", "y"])
        self.roundtrip(arch(), CHAR_TOK, [2, 5, 6, 3])
        self.roundtrip(arch(norm="pre", activation="gelu", positional="learned", tied_output=True,
                            encoder_layers=2), CHAR_TOK, [5, 6, 7], encoding="data")
        self.roundtrip(arch(type="decoder", encoder_layers=0, decoder_layers=2, bias=False,
                            scale_embeddings=True), CHAR_TOK, [2, 5, 5, 6, 7])
        self.roundtrip(arch(type="encoder-decoder", decoder_layers=2, final_norm=True, bias=False,
                            tied_output=True), tok2, [5, 6, 7, 3], [0, 2, 3])
        self.roundtrip(arch(type="encoder-decoder", decoder_layers=1, norm="pre",
                            positional="learned"), CHAR_TOK, [5, 6, 7, 3], [2, 5])

    def test_nn_transformer_parts(self):
        tr = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                            dim_feedforward=12, dropout=0.0)
        se, te, head = nn.Embedding(9, 8), nn.Embedding(9, 8), nn.Linear(8, 9)
        a = arch(type="encoder-decoder", decoder_layers=1, final_norm=True)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.json")
            export_parts(path, arch=a, tokenizer=CHAR_TOK, name="t", transformer=tr,
                         encoder_embed=se, decoder_embed=te, lm_head=head)
            back, _, _ = load_model(path)
        tr.eval()
        pe = sinusoidal_table(10, 8)
        src, tgt = torch.tensor([5, 6, 3]), torch.tensor([2, 7])
        with torch.no_grad():
            want = head(tr((se(src) + pe[:3]).unsqueeze(1), (te(tgt) + pe[:2]).unsqueeze(1),
                           tgt_mask=nn.Transformer.generate_square_subsequent_mask(2))[:, 0])
            got = back(src, tgt)
        self.assertLess(float((want - got).abs().max()), 1e-6)

    def test_mismatches_are_caught(self):
        tr = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                            dim_feedforward=12, dropout=0.0)
        parts = dict(transformer=tr, encoder_embed=nn.Embedding(9, 8), decoder_embed=nn.Embedding(9, 8),
                     lm_head=nn.Linear(8, 9))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.json")
            for bad, msg in ((dict(final_norm=False), "final norm"), (dict(norm="pre"), "norm_first"),
                             (dict(activation="gelu"), "activation"), (dict(n_heads=4), "heads"),
                             (dict(layer_norm_eps=1e-6), "eps"), (dict(bias=False), "bias")):
                a = arch(type="encoder-decoder", decoder_layers=1, final_norm=True)
                a.update(bad)
                with self.assertRaisesRegex(ValueError, msg):
                    export_parts(path, arch=a, tokenizer=CHAR_TOK, name="t", **parts)

    def test_cli(self):
        a = arch(type="decoder", encoder_layers=0, decoder_layers=1, norm="pre", tied_output=True)
        m = _random_model(a, CHAR_TOK)
        with tempfile.TemporaryDirectory() as d:
            ck, out = os.path.join(d, "m.pt"), os.path.join(d, "m.json")
            save_checkpoint(m, CHAR_TOK, ck, name="cli", description="d", examples=[{"text": "ab"}],
                            metadata={"training": {"steps": 1}})
            r = subprocess.run([sys.executable, os.path.join(HERE, "export_torch.py"), ck, "--out", out],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            back, _, doc = load_model(out)
        self.assertEqual(doc["name"], "cli")
        self.assertEqual(doc["training"], {"steps": 1})
        with torch.no_grad():
            self.assertTrue(torch.equal(m([2, 5, 6]), back([2, 5, 6])))


class CaptureTest(unittest.TestCase):
    def test_capture_matches_reference_and_output(self):
        a = arch(type="encoder-decoder", decoder_layers=1, norm="pre")
        m = _random_model(a, CHAR_TOK, seed=3)
        with torch.no_grad(), capture_attention(m, verify=True) as rec:
            y = m([5, 6, 7, 3], [2, 5, 6])
        self.assertLess(rec.max_output_error, 1e-5)
        self.assertEqual(sorted(rec.calls), [("cross", 0), ("decoder", 0), ("encoder", 0)])
        self.assertEqual(tuple(rec.last("cross", 0).shape), (1, 2, 3, 4))
        self.assertTrue(torch.equal(m([5, 6, 7, 3], [2, 5, 6]), y))  # unpatched again
        self.assertNotIn("forward", m.encoder.layers[0].self_attn.__dict__)


class GoldenTest(unittest.TestCase):
    def test_goldens_reproduce(self):
        files = sorted(glob.glob(os.path.join(GOLDEN, "*.expected.json")))
        self.assertGreaterEqual(len(files), 9)
        total = sum(os.path.getsize(f) for f in glob.glob(os.path.join(GOLDEN, "*")))
        self.assertLess(total, 1.5e6)
        for f in files:
            exp = load_json(f)
            self.assertEqual(set(exp), {"model", "tolerance", "cases"})
            model, tok, doc = load_model(os.path.join(GOLDEN, exp["model"]))
            kind = model.type
            for case in exp["cases"]:
                self.assertEqual(set(case), {"text", "target", "source_ids", "target_ids", "logits",
                                             "attention", "greedy"})
                self.assertEqual(tok.encode_source(case["text"]), case["source_ids"])
                if kind == "encoder-decoder":
                    self.assertEqual(case["target_ids"],
                                     [tok.special_id("bos", "target")] + tok.encode_target(case["target"]))
                else:
                    self.assertIsNone(case["target_ids"])
                with torch.no_grad():
                    y = model(case["source_ids"], case["target_ids"]).numpy()
                self.assertTrue(np.array_equal(np.asarray(case["logits"], dtype=np.float32), y), f)
                n_blocks = (doc["architecture"]["encoder_layers"] + doc["architecture"]["decoder_layers"] *
                            (2 if kind == "encoder-decoder" else 1)) * doc["architecture"]["n_heads"]
                self.assertEqual(len(case["attention"]), n_blocks)
                if kind == "encoder":
                    self.assertIsNone(case["greedy"])
                else:
                    side = "target" if kind == "encoder-decoder" else "source"
                    ids = model.greedy(case["source_ids"], tok.special_id("bos", side),
                                       tok.special_id("eos", side), case["greedy"]["max_len"])
                    self.assertEqual(ids, case["greedy"]["ids"])

    def test_examples_copied(self):
        for name in ("tiny-encoder", "tiny-seq2seq"):
            with open(os.path.join(EXAMPLES, name + ".json"), "rb") as a, \
                    open(os.path.join(GOLDEN, name + ".model.json"), "rb") as b:
                self.assertEqual(a.read(), b.read())


if __name__ == "__main__":
    unittest.main()
