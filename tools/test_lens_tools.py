"""Tests of tools/make_lens_goldens.py: the goldens reproduce byte for byte, and the hooks read
the residual points the docs define (checked against the blocks' equations written out).

    /usr/bin/python3 -m unittest tools/test_lens_tools.py -v
"""

from __future__ import annotations

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

import attnscope_format  # noqa: E402
import hf_reference  # noqa: E402
import make_lens_goldens as lens  # noqa: E402
import make_llama_goldens  # noqa: E402

torch.set_num_threads(1)


class LensGoldenTest(unittest.TestCase):
    def test_goldens_reproduce(self):
        for spec in lens.specs():
            f32, _, facts = lens.build(spec)
            path = os.path.join(lens.OUT, spec["name"] + ".lens.json")
            with open(path, encoding="utf-8") as fh:
                stored = json.loads(fh.read())
            inputs = spec["inputs"]
            if inputs is None:
                g = torch.Generator().manual_seed(7)
                inputs = [torch.randint(0, facts["vocab"], (n,), generator=g).tolist() for n in (9, 4)]
            cases = [lens.rounded(lens.lens_case(f32, ids)) for ids in inputs]
            text = attnscope_format.dumps(cases)
            self.assertEqual(json.loads(text), stored["cases"], spec["name"])

    def test_gpt2_points_are_the_block_equations(self):
        _, model, _ = hf_reference.load_folder(os.path.join(lens.ROOT, "tests", "data", "hf", "gpt2-tiny"))
        ids = [5, 17, 3, 99, 42]
        points, _ = lens.gpt2_lens(model).run(ids)
        with torch.no_grad():
            x = model.wte(torch.tensor(ids)) + model.wpe(torch.arange(len(ids)))
            want = [("embed", -1, x)]
            for i, b in enumerate(model.h):
                x = x + b.attn(b.ln_1(x))[0]
                want.append(("attn", i, x))
                x = x + b.mlp(b.ln_2(x))
                want.append(("mlp", i, x))
        self.assertEqual([(p, l) for p, l, _ in points], [(p, l) for p, l, _ in want])
        for (_, _, a), (_, _, b) in zip(points, want):
            self.assertTrue(torch.equal(a, b))

    def test_parallel_neox_has_no_attention_point(self):
        cfg, model = make_llama_goldens.load_reference(os.path.join(lens.ROOT, "tests", "data", "hf", "neox-pythia"))
        ref = lens.llama_lens(model, cfg)
        self.assertTrue(ref.parallel)
        points, _ = ref.run([1, 2, 3])
        self.assertEqual([p for p, _, _ in points], ["embed"] + ["mlp"] * cfg["num_hidden_layers"])

    def test_final_norm_is_recomputed(self):
        # RMSNorm of a residual scaled by 3 equals RMSNorm of the residual (up to ε): the lens
        # measures each point's own scale; reusing another point's would not.
        cfg, model = make_llama_goldens.load_reference(os.path.join(lens.ROOT, "tests", "data", "hf", "llama-gqa"))
        ref = lens.llama_lens(model, cfg)
        x = torch.randn(4, cfg["hidden_size"], generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            self.assertLess(float((ref.unembed(3 * x) - ref.unembed(x)).abs().max()), 1e-4)


if __name__ == "__main__":
    unittest.main()
