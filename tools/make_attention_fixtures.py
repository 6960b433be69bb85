"""scaled_dot_product_attention reference values from PyTorch -> tests/fixtures/attention.txt.

torch 1.13 has no F.scaled_dot_product_attention, so this computes torch 2.x's math path
formula (aten/src/ATen/native/transformers/attention.cpp, _scaled_dot_product_attention_math)
op by op: q and k^T each scaled by sqrt(1/sqrt(E)), the mask added (a Bool mask as 0 / -inf,
is_causal as ones(L, S).tril()), softmax, dropout(p, train=True), @ v. For
tests/core/ops/attention_test.cpp. Run with Debian's torch:
    /usr/bin/python3 tools/make_attention_fixtures.py
"""
import math
import os
import torch
from fixturelib import write

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "attention.txt")


def sdpa_math(q, k, v, mask=None, dropout_p=0.0, is_causal=False):
    L, S = q.size(-2), k.size(-2)
    root_scale = math.sqrt(1.0 / math.sqrt(q.size(-1)))
    attn = (q * root_scale) @ (k.transpose(-2, -1) * root_scale)
    if is_causal:
        mask = torch.ones(L, S, dtype=torch.bool).tril()
    if mask is not None:
        if mask.dtype == torch.bool:
            mask = torch.zeros_like(mask, dtype=q.dtype).masked_fill(mask.logical_not(), -math.inf)
        attn = attn + mask
    attn = attn.softmax(-1)
    if dropout_p > 0.0:
        attn = torch.dropout(attn, dropout_p, True)
    return attn @ v


torch.manual_seed(0)
records = []
# name, q shape, k shape, v shape, mask kind, causal, dropout p, how q is made
CASES = [
    ("plain", (2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 3), None, False, 0.0, "plain"),
    ("causal", (2, 2, 7, 8), (2, 2, 7, 8), (2, 2, 7, 8), None, True, 0.0, "plain"),
    ("causal_l_lt_s", (1, 2, 5, 4), (1, 2, 7, 4), (1, 2, 7, 4), None, True, 0.0, "plain"),
    ("bool_mask", (2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4), "bool", False, 0.0, "plain"),
    ("float_mask", (2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4), "float", False, 0.0, "plain"),
    ("batch_broadcast", (2, 3, 5, 4), (3, 6, 4), (1, 6, 3), None, False, 0.0, "plain"),
    ("transposed", (2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 4), None, True, 0.0, "transpose"),
    ("two_dims", (6, 4), (9, 4), (9, 5), None, False, 0.0, "plain"),
    ("dropout", (2, 2, 4, 5), (2, 2, 6, 5), (2, 2, 6, 5), None, True, 0.3, "plain"),
    ("masked_row", (1, 2, 4, 4), (1, 2, 5, 4), (1, 2, 5, 4), "bool_row", False, 0.0, "plain"),
]
for name, qs, ks, vs, mask_kind, causal, p, how in CASES:
    if how == "transpose":  # (B, T, H, E) made into the heads' layout (B, H, T, E), as a GPT does
        qb, kb, vb = (torch.randn(s[0], s[2], s[1], s[3], dtype=torch.float64) for s in (qs, ks, vs))
    else:
        qb, kb, vb = (torch.randn(*s, dtype=torch.float64) for s in (qs, ks, vs))
    L, S = qs[-2], ks[-2]
    mask = None
    if mask_kind == "bool":  # (L, S), broadcast over batch and heads; every row keeps a key
        mask = torch.rand(L, S) > 0.4
        mask[:, 0] = True
    elif mask_kind == "float":  # (2, 1, L, S), broadcast over heads, with some -inf
        mask = torch.randn(2, 1, L, S, dtype=torch.float64)
        mask[0, 0, 1, 2] = -math.inf
    elif mask_kind == "bool_row":  # query 2 keeps no key: NaN
        mask = torch.rand(L, S) > 0.3
        mask[:, 1] = True
        mask[2] = False
    gshape = torch.broadcast_shapes(qs[:-2], ks[:-2], vs[:-2]) + (L, vs[-1])
    g64 = torch.randn(*gshape, dtype=torch.float64)
    seed = 1234
    for dtype, tag in [(torch.float32, "f32"), (torch.float64, "f64")]:
        key = f"{name}.{tag}"
        qv, kv, vv = (t.to(dtype).clone().requires_grad_() for t in (qb, kb, vb))
        q, k, v = (t.transpose(1, 2) for t in (qv, kv, vv)) if how == "transpose" else (qv, kv, vv)
        m = mask.to(dtype) if mask is not None and mask.dtype != torch.bool else mask
        torch.manual_seed(seed)
        out = sdpa_math(q, k, v, m, p, causal)
        out.backward(g64.to(dtype))
        records += [(f"{key}.q", qv), (f"{key}.k", kv), (f"{key}.v", vv), (f"{key}.g", g64.to(dtype)),
                    (f"{key}.out", out), (f"{key}.dq", qv.grad), (f"{key}.dk", kv.grad), (f"{key}.dv", vv.grad)]
        if m is not None:
            records.append((f"{key}.mask", m))

write(OUT, records, "torch 2.x's scaled_dot_product_attention math path, computed op by op with torch 1.13\n"
                    "(tools/make_attention_fixtures.py, CASES): <case>.<dtype>.{q,k,v,mask,g} in, out and\n"
                    "dq dk dv (the gradients of q, k, v as stored; 'transposed' feeds each .transpose(1, 2)).\n"
                    "The dropout case seeds torch.manual_seed(1234) right before the call.")
