"""PyTorch 1.13's numbers and texts for nn/'s Module, containers and layers -> tests/fixtures/:

nn_module_text.txt  texts, one record per case ("=== name", then the text up to the next "=== "):
                    state_dict / named_parameters / named_buffers keys of a small nested model
                    (a buffer, a tied weight, Sequential and ModuleList children), one key a line;
                    print(model) for it and for every layer; load_state_dict's error messages,
                    with torch.Size([3, 2]) written [3, 2] as minigrad writes shapes;
                    repr() of floats, one a line (nn/repr.cpp:py_float)
nn_layers.txt       tensors (fixturelib): Dropout draws in train mode after manual_seed, mse_loss
                    values and gradients per reduction, LayerNorm forward and gradients
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_module_fixtures.py
"""
import os
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

import fixturelib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")


class Block(nn.Module):
    # Registration order differs from state_dict order on purpose: a sub-module, a buffer,
    # then a parameter; torch saves own parameters, own buffers, then children.
    def __init__(self):
        super().__init__()
        self.att = nn.Linear(4, 4, bias=False)
        self.register_buffer("mask", torch.triu(torch.ones(3, 3), 1))
        self.scale = nn.Parameter(torch.ones(4))
        self.ff = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 4))
        self.drop = nn.Dropout(0.1)


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_emb = nn.Embedding(10, 4)
        self.register_buffer("steps", torch.zeros((), dtype=torch.int64))
        self.blocks = nn.Sequential(Block(), Block())
        self.norm = nn.LayerNorm(4)
        self.heads = nn.ModuleList([nn.Linear(4, 10, bias=False)])
        self.heads[0].weight = self.tok_emb.weight  # tied, as GPT-2's wte and lm_head


def load_error(module, state, strict=True):
    try:
        module.load_state_dict(state, strict=strict)
    except RuntimeError as e:
        return re.sub(r"torch\.Size\((\[[^\]]*\])\)", r"\1", str(e))
    raise AssertionError("expected an error")


def texts():
    model = Tiny()
    yield "state_dict_keys", "\n".join(model.state_dict().keys())
    yield "named_parameters_keys", "\n".join(n for n, _ in model.named_parameters())
    yield "named_buffers_keys", "\n".join(n for n, _ in model.named_buffers())
    yield "print_tiny", str(model)
    yield "print_layers", str(nn.Sequential(
        nn.Linear(768, 50257, bias=False), nn.Embedding(50257, 768), nn.Embedding(5, 3, padding_idx=-1),
        nn.Dropout(0.1), nn.Dropout(0.0), nn.GELU(), nn.GELU(approximate="tanh"), nn.ReLU(),
        nn.LayerNorm(768), nn.LayerNorm([3, 4], eps=1e-6, elementwise_affine=False), nn.MSELoss(),
        nn.ModuleList(), nn.Sequential(), nn.Module()))
    yield "print_module_list", str(nn.ModuleList([nn.Linear(2, 3), nn.Sequential(nn.ReLU())]))

    lin = nn.Linear(2, 3)
    good = {"weight": torch.zeros(3, 2), "bias": torch.zeros(3)}
    yield "error_missing", load_error(lin, {"weight": torch.zeros(3, 2)})
    yield "error_unexpected", load_error(lin, dict(good, extra=torch.zeros(1)))
    yield "error_size", load_error(lin, {"weight": torch.zeros(3, 3), "bias": torch.zeros(3)})
    yield "error_all", load_error(lin, {"weight": torch.zeros(2, 3), "x": torch.zeros(1), "y": torch.zeros(1)})
    yield "error_size_not_strict", load_error(lin, {"weight": torch.zeros(3, 3)}, strict=False)
    yield "error_nested", load_error(Tiny(), {k: v for k, v in Tiny().state_dict().items()
                                              if k not in ("steps", "blocks.1.mask")})

    floats = [0.1, 0.5, 1.0, 0.0, -0.0, 1e-05, 1e-06, 0.0001, 2.5e-07, 1 / 3, 123456789.125, 1e15, 1e16,
              1.5e16, 1e22, -2.75, 5e-324, 1.7976931348623157e308, 100.0, 0.001]
    yield "py_float_inputs", "\n".join(float.hex(v) for v in floats)
    yield "py_float", "\n".join(repr(v) for v in floats)


def tensors():
    # Dropout: the book's chapter 3 cell (ones(6, 6), p = 0.5) and a float64 one with p = 0.1,
    # each right after manual_seed(123), in train mode.
    torch.manual_seed(123)
    yield "dropout_p05", nn.Dropout(0.5)(torch.ones(6, 6))
    torch.manual_seed(123)
    yield "dropout_p01_f64", nn.Dropout(0.1)(torch.arange(20, dtype=torch.float64).reshape(4, 5))

    # mse_loss per reduction: the value and both gradients of sum(loss * w) (w = 1 for a scalar).
    torch.manual_seed(5)
    x = torch.randn(3, 4)
    t = torch.randn(3, 4)
    w = torch.randn(3, 4)
    yield "mse_input", x
    yield "mse_target", t
    yield "mse_weight", w
    for red in ("mean", "sum", "none"):
        xi = x.clone().requires_grad_()
        ti = t.clone().requires_grad_()
        loss = F.mse_loss(xi, ti, reduction=red)
        (loss * w if red == "none" else loss).sum().backward()
        yield f"mse_{red}", loss
        yield f"mse_{red}_grad_input", xi.grad
        yield f"mse_{red}_grad_target", ti.grad

    # LayerNorm over the last two dims of (2, 3, 4), with drawn weight and bias; its default
    # init; and the book's chapter 4 cell (manual_seed(123), randn(2, 5), LayerNorm(5)).
    torch.manual_seed(7)
    x = torch.randn(2, 3, 4) * 3 + 1
    ln = nn.LayerNorm([3, 4])
    yield "ln_init_weight", ln.weight
    yield "ln_init_bias", ln.bias
    with torch.no_grad():
        ln.weight.copy_(torch.randn(3, 4))
        ln.bias.copy_(torch.randn(3, 4))
    g = torch.randn(2, 3, 4)
    xi = x.clone().requires_grad_()
    y = ln(xi)
    (y * g).sum().backward()
    yield "ln_input", x
    yield "ln_weight", ln.weight
    yield "ln_bias", ln.bias
    yield "ln_grad_out", g
    yield "ln_output", y
    yield "ln_grad_input", xi.grad
    yield "ln_grad_weight", ln.weight.grad
    yield "ln_grad_bias", ln.bias.grad
    torch.manual_seed(123)
    batch = torch.randn(2, 5)
    yield "ln_book_batch", batch
    yield "ln_book_output", nn.LayerNorm(5)(batch)


def main():
    with open(os.path.join(OUT, "nn_module_text.txt"), "w") as f:
        for name, text in texts():
            f.write(f"=== {name}\n{text}\n")
    fixturelib.write(os.path.join(OUT, "nn_layers.txt"), tensors(),
                     "Written by tools/make_module_fixtures.py: Dropout, mse_loss, LayerNorm.")


if __name__ == "__main__":
    main()
