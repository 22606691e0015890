#!/usr/bin/python3
"""Unit tests of the Hugging Face reference tools (hf_reference, bin_to_safetensors,
hf_numpy_check, the fixtures in tests/data/hf and tests/data/bad/hf).

    /usr/bin/python3 -m unittest tools/test_hf_tools.py      (or run the file)
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

import bin_to_safetensors  # noqa: E402
import hf_numpy_check  # noqa: E402
from hf_reference import load_folder, read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.dirname(HERE)
HF = os.path.join(ROOT, "tests", "data", "hf")
BAD = os.path.join(ROOT, "tests", "data", "bad", "hf")

torch.set_num_threads(1)


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_every_dtype(self):
        g = torch.Generator().manual_seed(0)
        x = torch.randn(3, 5, generator=g)
        tensors = {"f32": x, "f16": x.half(), "bf16": x.bfloat16(), "f64": x.double(),
                   "i64": torch.arange(6).view(2, 3), "i32": torch.arange(4, dtype=torch.int32),
                   "u8": torch.arange(5, dtype=torch.uint8), "bool": torch.tensor([True, False]),
                   "scalar": torch.tensor(-1e4), "noncontig": x.t()}
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "t.safetensors")
            write_safetensors(p, tensors)
            with open(p, "rb") as f:
                n = int.from_bytes(f.read(8), "little")
            self.assertEqual(n % 8, 0)
            back = read_safetensors(p)
        for k, t in tensors.items():
            self.assertEqual(back[k][1].dtype, t.dtype, k)
            self.assertTrue(torch.equal(back[k][1], t), k)


class BinToSafetensorsTest(unittest.TestCase):
    def test_tied_and_noncontiguous(self):
        cfg, model, _ = load_folder(os.path.join(HF, "gpt2-tiny"))
        sd = {"transformer." + k: v for k, v in model.state_dict().items()}
        sd["lm_head.weight"] = sd["transformer.wte.weight"]
        sd["transformer.h.0.mlp.c_fc.weight"] = sd["transformer.h.0.mlp.c_fc.weight"].t().contiguous().t()
        with tempfile.TemporaryDirectory() as d:
            torch.save(sd, os.path.join(d, "pytorch_model.bin"))
            n, dropped = bin_to_safetensors.convert(os.path.join(d, "pytorch_model.bin"), os.path.join(d, "model.safetensors"))
            self.assertEqual(dropped, {"lm_head.weight": "transformer.wte.weight"})
            back = read_safetensors(os.path.join(d, "model.safetensors"))
        self.assertEqual(set(back), set(sd) - {"lm_head.weight"})
        for k, (_, t) in back.items():
            self.assertTrue(torch.equal(t, sd[k]), k)

    def test_code_in_pickle_is_refused(self):
        class Evil:
            def __reduce__(self):
                return (print, ("this must not run",))
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "evil.bin")
            torch.save({"x": Evil()}, p)
            out = io.StringIO()
            with redirect_stdout(out), self.assertRaises(pickle.UnpicklingError):
                bin_to_safetensors.load_bin(p)
            self.assertNotIn("must not run", out.getvalue())


class FixturesTest(unittest.TestCase):
    def test_goldens_agree_with_numpy_float64(self):
        with redirect_stdout(io.StringIO()):
            self.assertEqual(hf_numpy_check.main([]), 0)

    def test_every_good_folder_loads(self):
        names = [d for d in os.listdir(HF) if os.path.isdir(os.path.join(HF, d)) and not d.startswith("vit-")]
        self.assertGreaterEqual(len(names), 12)
        for name in names:
            load_folder(os.path.join(HF, name))

    def test_bad_weight_folders_are_refused_by_the_reference(self):
        cases = [c for c in os.listdir(BAD) if c.startswith(("st-", "shard-"))]
        self.assertGreaterEqual(len(cases), 15)
        for c in cases:
            with self.assertRaises(Exception, msg=c):
                load_folder(os.path.join(BAD, c))


if __name__ == "__main__":
    unittest.main()
