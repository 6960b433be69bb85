"""Writes tests/fixtures/optim_adam.txt: torch.optim.Adam and AdamW trajectories, read by
tests/optim/adam_test.cpp.

From fixed parameters and fixed per-step gradients (q has none on step 2, so its step count
lags), each configuration runs STEPS steps with foreach=False (the single-tensor rule minigrad
follows) and records both parameters after every step, then p's final state.
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_optim_fixtures.py
"""
import os

import torch

import fixturelib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")
STEPS = 6

# name: (class, keyword arguments). Names are the record prefixes.
CONFIGS = {
    "adam_plain": (torch.optim.Adam, dict(lr=0.01)),
    "adam_defaults": (torch.optim.Adam, dict()),
    "adam_weight_decay": (torch.optim.Adam, dict(lr=0.01, weight_decay=0.1)),
    "adam_amsgrad": (torch.optim.Adam, dict(lr=0.01, amsgrad=True)),
    "adam_maximize": (torch.optim.Adam, dict(lr=0.01, maximize=True)),
    "adam_betas_eps": (torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.95), eps=1e-3)),
    "adam_all": (torch.optim.Adam, dict(lr=0.02, betas=(0.7, 0.9), eps=1e-6, weight_decay=0.3,
                                        amsgrad=True, maximize=True)),
    "adamw_defaults": (torch.optim.AdamW, dict()),
    "adamw_book": (torch.optim.AdamW, dict(lr=0.0004, weight_decay=0.1)),
    "adamw_amsgrad": (torch.optim.AdamW, dict(lr=0.01, weight_decay=0.05, amsgrad=True)),
    "adamw_maximize": (torch.optim.AdamW, dict(lr=0.01, maximize=True)),
    "adamw_all": (torch.optim.AdamW, dict(lr=0.03, betas=(0.5, 0.8), eps=1e-4, weight_decay=0.5,
                                          amsgrad=True, maximize=True)),
}


def inputs():
    g = torch.Generator().manual_seed(2024)
    p0 = torch.randn(3, 37, generator=g)  # 111 floats: whole SIMD blocks and a scalar tail
    q0 = torch.randn(9, generator=g, dtype=torch.float64)
    # Gradient magnitudes swing from step to step, so amsgrad's running maximum matters.
    scale = torch.tensor([1.0, 3.0, 0.2, 2.0, 0.5, 4.0])
    grads_p = torch.randn(STEPS, 3, 37, generator=g) * scale.view(-1, 1, 1)
    grads_q = torch.randn(STEPS, 9, generator=g, dtype=torch.float64) * scale.double().view(-1, 1)
    return p0, q0, grads_p, grads_q


def run(make_opt, p0, q0, grads_p, grads_q):
    p = p0.clone().requires_grad_()
    q = q0.clone().requires_grad_()
    opt = make_opt(p, q)
    traj_p, traj_q = [], []
    for k in range(STEPS):
        p.grad = grads_p[k].clone()
        q.grad = None if k == 2 else grads_q[k].clone()
        opt.step()
        traj_p.append(p.detach().clone())
        traj_q.append(q.detach().clone())
    return opt, p, torch.stack(traj_p), torch.stack(traj_q)


def records():
    p0, q0, grads_p, grads_q = inputs()
    yield "p0", p0
    yield "q0", q0
    yield "grads_p", grads_p
    yield "grads_q", grads_q
    for name, (cls, kw) in CONFIGS.items():
        opt, p, traj_p, traj_q = run(lambda p, q: cls([p, q], foreach=False, **kw), p0, q0, grads_p, grads_q)
        yield f"{name}_p", traj_p
        yield f"{name}_q", traj_q
        state = opt.state[p]
        yield f"{name}_exp_avg", state["exp_avg"]
        yield f"{name}_exp_avg_sq", state["exp_avg_sq"]
        if "max_exp_avg_sq" in state:
            yield f"{name}_max_exp_avg_sq", state["max_exp_avg_sq"]
    # Two groups: nanoGPT's split (decay the matrix p, not the vector q), each with its own lr.
    groups = lambda p, q: torch.optim.AdamW(
        [{"params": [p], "weight_decay": 0.1}, {"params": [q], "weight_decay": 0.0, "lr": 0.003}],
        lr=0.01, betas=(0.9, 0.95), foreach=False)
    _, _, traj_p, traj_q = run(groups, p0, q0, grads_p, grads_q)
    yield "adamw_groups_p", traj_p
    yield "adamw_groups_q", traj_q


if __name__ == "__main__":
    fixturelib.write(os.path.join(OUT, "optim_adam.txt"), records(),
                     "torch.optim.Adam / AdamW (foreach=False) trajectories; tools/make_optim_fixtures.py")
