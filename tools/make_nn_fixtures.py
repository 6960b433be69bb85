"""Writes tests/fixtures/nn_*.txt: PyTorch's numbers for nn/ and optim/, read by tests/nn and tests/optim.

nn_init.txt        torch.nn.init and the layers' initial weights at given seeds (stream consumption)
nn_functional.txt  linear / embedding / cross_entropy forward and backward on fixed inputs
nn_sgd.txt         torch.optim.SGD trajectories, one per option combination, from fixed gradients
nn_end_to_end.txt  Embedding -> Linear -> cross_entropy and its one-hot twin, 50 SGD steps
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_nn_fixtures.py
"""
import math
import os

import torch
import torch.nn.functional as F

import fixturelib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")


def init_records():
    init = torch.nn.init
    cases = [
        # name, seed, shape, dtype, fill
        ("uniform", 0, (7, 5), torch.float32, lambda t: init.uniform_(t, -2.0, 3.0)),
        ("normal_small", 123, (4, 3), torch.float32, lambda t: init.normal_(t, 0.5, 2.0)),
        ("normal_large", 123, (4, 6), torch.float32, lambda t: init.normal_(t, 0.5, 2.0)),
        ("kaiming_uniform_default", 1, (5, 8), torch.float32, lambda t: init.kaiming_uniform_(t)),
        ("kaiming_uniform_sqrt5_fan_out", 2, (3, 4, 2), torch.float32,
         lambda t: init.kaiming_uniform_(t, a=math.sqrt(5), mode="fan_out")),
        ("kaiming_uniform_relu_f64", 3, (6, 4), torch.float64,
         lambda t: init.kaiming_uniform_(t, nonlinearity="relu")),
        ("kaiming_normal_relu_fan_out", 4, (6, 10), torch.float32,
         lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")),
        ("xavier_uniform_gain2", 5, (7, 3), torch.float32, lambda t: init.xavier_uniform_(t, gain=2.0)),
        ("xavier_uniform_f64", 3000000000, (6, 4), torch.float64, lambda t: init.xavier_uniform_(t)),
        ("xavier_normal_3d", 6, (5, 5, 3), torch.float32, lambda t: init.xavier_normal_(t)),
    ]
    for name, seed, shape, dtype, fill in cases:
        torch.manual_seed(seed)
        yield f"init_{name}", fill(torch.empty(shape, dtype=dtype))

    gains = [init.calculate_gain(n) for n in ["linear", "sigmoid", "tanh", "relu", "selu"]]
    gains += [init.calculate_gain("leaky_relu"), init.calculate_gain("leaky_relu", math.sqrt(5))]
    yield "gains", torch.tensor(gains, dtype=torch.float64)

    # Layers: their draws, in their order, from one stream.
    torch.manual_seed(7)
    a = torch.nn.Linear(4, 5)
    b = torch.nn.Linear(17, 3)
    yield "linear_4_5_weight", a.weight
    yield "linear_4_5_bias", a.bias
    yield "linear_17_3_weight", b.weight
    yield "linear_17_3_bias", b.bias
    torch.manual_seed(123)
    yield "linear_4_5_nobias_s123_weight", torch.nn.Linear(4, 5, bias=False).weight
    torch.manual_seed(0)
    e = torch.nn.Embedding(10, 4, padding_idx=2)
    f = torch.nn.Embedding(5, 4, padding_idx=-1)  # from the same stream: 40 normals, then 20
    yield "embedding_10_4_pad2", e.weight
    yield "embedding_5_4_padm1", f.weight
    torch.manual_seed(123)
    yield "embedding_4_5_s123", torch.nn.Embedding(4, 5).weight
    torch.manual_seed(123)
    yield "embedding_6_3_s123", torch.nn.Embedding(6, 3).weight


def functional_records():
    g = torch.Generator().manual_seed(2024)

    def rnd(*shape, dtype=torch.float32):
        return torch.randn(*shape, generator=g, dtype=dtype)

    # linear on (2, 3, 4) with bias, and on a 1-D input without; loss = sum(y * gy).
    for tag, xs, bias in [("3d", (2, 3, 4), True), ("1d", (4,), False), ("2d_f64", (3, 4), True)]:
        dtype = torch.float64 if tag.endswith("f64") else torch.float32
        x = rnd(*xs, dtype=dtype).requires_grad_()
        w = rnd(5, 4, dtype=dtype).requires_grad_()
        b = rnd(5, dtype=dtype).requires_grad_() if bias else None
        y = F.linear(x, w, b)
        gy = rnd(*y.shape, dtype=dtype)
        (y * gy).sum().backward()
        yield f"linear_{tag}_x", x
        yield f"linear_{tag}_w", w
        if bias:
            yield f"linear_{tag}_b", b
            yield f"linear_{tag}_db", b.grad
        yield f"linear_{tag}_gy", gy
        yield f"linear_{tag}_y", y
        yield f"linear_{tag}_dx", x.grad
        yield f"linear_{tag}_dw", w.grad

    # embedding with repeated ids and a padding row, ids of shape (2, 4).
    w = rnd(6, 3).requires_grad_()
    ids = torch.tensor([[1, 4, 4, 0], [2, 4, 1, 5]])
    y = F.embedding(ids, w, padding_idx=4)
    gy = rnd(*y.shape)
    (y * gy).sum().backward()
    yield "embedding_w", w
    yield "embedding_ids", ids
    yield "embedding_gy", gy
    yield "embedding_y", y
    yield "embedding_dw", w.grad

    # cross_entropy over (N, C, d) with an ignored position, each reduction; and one sample (C).
    x = (rnd(2, 5, 3) * 2).requires_grad_()
    t = torch.tensor([[0, 4, -100], [2, 2, 1]])
    yield "ce3d_x", x
    yield "ce3d_t", t
    for red in ["none", "mean", "sum"]:
        if x.grad is not None:
            x.grad = None
        loss = F.cross_entropy(x, t, reduction=red)
        loss.backward(torch.ones_like(loss) if red == "none" else None)
        yield f"ce3d_{red}_loss", loss
        yield f"ce3d_{red}_dx", x.grad
    x1 = rnd(7).requires_grad_()
    loss = F.cross_entropy(x1, torch.tensor(3))
    loss.backward()
    yield "ce1d_x", x1
    yield "ce1d_loss", loss
    yield "ce1d_dx", x1.grad


# Each configuration: torch.optim.SGD keyword arguments. Names are the record prefixes.
SGD_CONFIGS = {
    "plain": dict(lr=0.1),
    "momentum": dict(lr=0.1, momentum=0.9),
    "dampening": dict(lr=0.05, momentum=0.8, dampening=0.3),
    "weight_decay": dict(lr=0.1, weight_decay=0.01),
    "nesterov": dict(lr=0.1, momentum=0.9, nesterov=True),
    "maximize": dict(lr=0.1, momentum=0.5, maximize=True),
    "all": dict(lr=0.07, momentum=0.9, weight_decay=0.05, nesterov=True, maximize=True),
    "decay_damp": dict(lr=0.2, momentum=0.6, dampening=0.5, weight_decay=0.1),
}
SGD_STEPS = 5


def sgd_records():
    g = torch.Generator().manual_seed(99)
    p0 = torch.randn(3, 4, generator=g)
    q0 = torch.randn(5, generator=g, dtype=torch.float64)
    grads_p = torch.randn(SGD_STEPS, 3, 4, generator=g)
    grads_q = torch.randn(SGD_STEPS, 5, generator=g, dtype=torch.float64)
    yield "p0", p0
    yield "q0", q0
    yield "grads_p", grads_p
    yield "grads_q", grads_q
    for name, kw in SGD_CONFIGS.items():
        p = p0.clone().requires_grad_()
        q = q0.clone().requires_grad_()
        opt = torch.optim.SGD([p, q], **kw)
        traj_p, traj_q = [], []
        for k in range(SGD_STEPS):
            p.grad = grads_p[k].clone()
            # q has no gradient on step 2: SGD must skip it (its momentum buffer is kept).
            q.grad = None if k == 2 else grads_q[k].clone()
            opt.step()
            traj_p.append(p.detach().clone())
            traj_q.append(q.detach().clone())
        yield f"sgd_{name}_p", torch.stack(traj_p)
        yield f"sgd_{name}_q", torch.stack(traj_q)


# The end-to-end run: a fixed token stream, fixed batches, a torch-seeded init.
E2E = dict(V=12, d=5, seed=1234, steps=50, batch=8, lr=0.5, momentum=0.9, weight_decay=0.001)


def end_to_end_records():
    V, d, B, steps = E2E["V"], E2E["d"], E2E["batch"], E2E["steps"]
    g = torch.Generator().manual_seed(77)
    stream = torch.randint(0, V, (40,), generator=g)
    starts = torch.randint(0, stream.numel() - 1, (steps, B), generator=g)
    yield "stream", stream
    yield "starts", starts
    yield "config", torch.tensor([E2E["lr"], E2E["momentum"], E2E["weight_decay"]], dtype=torch.float64)
    yield "sizes", torch.tensor([V, d, E2E["seed"], steps, B])

    torch.manual_seed(E2E["seed"])
    emb = torch.nn.Embedding(V, d)
    head = torch.nn.Linear(d, V)
    yield "init_emb", emb.weight
    yield "init_head_w", head.weight
    yield "init_head_b", head.bias

    twin = torch.nn.Linear(V, d, bias=False)
    twin_head = torch.nn.Linear(d, V)
    with torch.no_grad():
        twin.weight.copy_(emb.weight.T)
        twin_head.weight.copy_(head.weight)
        twin_head.bias.copy_(head.bias)
    opt_kw = dict(lr=E2E["lr"], momentum=E2E["momentum"], weight_decay=E2E["weight_decay"])
    opt = torch.optim.SGD(list(emb.parameters()) + list(head.parameters()), **opt_kw)
    opt_twin = torch.optim.SGD(list(twin.parameters()) + list(twin_head.parameters()), **opt_kw)
    losses, twin_losses = [], []
    for k in range(steps):
        ids, targets = stream[starts[k]], stream[starts[k] + 1]
        opt.zero_grad()
        loss = F.cross_entropy(head(emb(ids)), targets)
        loss.backward()
        opt.step()
        opt_twin.zero_grad()
        twin_loss = F.cross_entropy(twin_head(twin(F.one_hot(ids, V).float())), targets)
        twin_loss.backward()
        opt_twin.step()
        losses.append(loss.item())
        twin_losses.append(twin_loss.item())
        if k == 0:
            yield "step0_emb_grad", emb.weight.grad
            yield "step0_twin_grad", twin.weight.grad
    yield "losses", torch.tensor(losses)
    yield "twin_losses", torch.tensor(twin_losses)
    yield "final_emb", emb.weight
    yield "final_head_w", head.weight
    yield "final_head_b", head.bias
    yield "final_twin_w", twin.weight
    yield "final_twin_head_w", twin_head.weight
    yield "final_twin_head_b", twin_head.bias


def main():
    header = __doc__.strip().splitlines()[0]
    fixturelib.write(os.path.join(OUT, "nn_init.txt"), init_records(), header)
    fixturelib.write(os.path.join(OUT, "nn_functional.txt"), functional_records(), header)
    fixturelib.write(os.path.join(OUT, "nn_sgd.txt"), sgd_records(), header)
    fixturelib.write(os.path.join(OUT, "nn_end_to_end.txt"), end_to_end_records(), header)


if __name__ == "__main__":
    main()
