"""LayerNorm reference values from PyTorch -> tests/fixtures/layer_norm.txt.

For the composite LayerNorm of docs/architecture.md, tested in
tests/docs/composite_layer_norm_test.cpp. Run with Debian's torch:
    /usr/bin/python3 tools/make_layer_norm_fixtures.py
"""
import os
import torch
import torch.nn.functional as F
from fixturelib import write

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "layer_norm.txt")

torch.manual_seed(0)
# (B, T, C) = (2, 3, 5); one row is nearly constant, so eps matters there.
x64 = torch.randn(2, 3, 5, dtype=torch.float64) * 2 + 0.5
x64[1, 2] = 0.25 + 1e-3 * torch.randn(5, dtype=torch.float64)
w64 = torch.randn(5, dtype=torch.float64)
b64 = torch.randn(5, dtype=torch.float64)
g64 = torch.randn(2, 3, 5, dtype=torch.float64)

records = []
for dtype, tag in [(torch.float32, "f32"), (torch.float64, "f64")]:
    x, w, b = (t.to(dtype).clone().requires_grad_() for t in (x64, w64, b64))
    g = g64.to(dtype)
    y = F.layer_norm(x, (5,), w, b, eps=1e-5)
    y.backward(g)
    records += [(f"{tag}.x", x), (f"{tag}.weight", w), (f"{tag}.bias", b), (f"{tag}.g", g),
                (f"{tag}.y", y), (f"{tag}.dx", x.grad), (f"{tag}.dweight", w.grad), (f"{tag}.dbias", b.grad)]

write(OUT, records, "F.layer_norm over the last dim (C = 5, eps = 1e-5): forward and backward\n"
                    "(upstream gradient g), float32 and float64.")
