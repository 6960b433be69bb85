"""GELU reference values from PyTorch -> tests/fixtures/gelu.txt.

Run with Debian's torch: /usr/bin/python3 tools/make_gelu_fixtures.py
"""
import os
import torch
import torch.nn.functional as F
from fixturelib import write

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "gelu.txt")

records = []
torch.manual_seed(0)
x64 = torch.cat([torch.linspace(-6, 6, 25, dtype=torch.float64), torch.randn(11, dtype=torch.float64) * 3])
g64 = torch.randn(x64.shape, dtype=torch.float64)
for dtype, tag in [(torch.float32, "f32"), (torch.float64, "f64")]:
    x = x64.to(dtype)
    g = g64.to(dtype)
    records += [(f"{tag}.x", x), (f"{tag}.g", g)]
    for approx in ["none", "tanh"]:
        xr = x.clone().requires_grad_()
        y = F.gelu(xr, approximate=approx)
        y.backward(g)
        records += [(f"{tag}.{approx}.y", y), (f"{tag}.{approx}.dx", xr.grad)]

write(OUT, records, "GELU forward and backward (upstream gradient g), exact and tanh.")
