#!/usr/bin/python3
"""The PyTorch side of bench/compare: the same GEMMs, training steps, layers and op chain as
bench/gemm.cpp, bench/workloads.cpp, bench/layers.cpp and bench/overhead.cpp, timed in eager mode.
Prints one JSON object {name: seconds per iteration}.
Usage: torch_workloads.py THREADS [--min-time=SECONDS] [--only=layers|W3|W4] [--book]
(min-time default 0.3; --quick is 0.1; --only=layers times bench/layers.cpp's part alone;
--only=W3 / W4 times one GPT training step alone and adds its process's peak RSS, in MiB, as
"W3_peak_rss_MiB", and the RSS before the model as "W3_rss_before_MiB"; --book keeps the book's
composite LayerNorm and GELU instead of torch's fused F.layer_norm and F.gelu)."""
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

SHAPES = [(n, n, n) for n in (64, 128, 256, 512, 1024, 2048)] + [
    (512, 128, 512), (512, 128, 384), (2048, 768, 768), (2048, 768, 3072), (512, 128, 8192)]


def best_time(fn, min_time=0.3, repeats=3):
    """Seconds per call: the best of `repeats` batches, each run for at least min_time."""
    fn()  # warm up (allocator, thread pool)
    n, t = 1, 0.0
    while True:  # find a batch size that runs about min_time
        start = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - start
        if t >= min_time:
            break
        n = max(n * 2, int(n * min_time / max(t, 1e-9) * 1.2))
    best = t / n
    for _ in range(repeats - 1):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n)
    return best


def gemm_results(out, min_time):
    for (M, K, N) in SHAPES:
        a, b = torch.randn(M, K), torch.randn(K, N)
        out[f"matmul_nn/{M}/{K}/{N}"] = best_time(lambda: torch.matmul(a, b), min_time)
        bt = torch.randn(N, K)  # y = x W^T
        out[f"gemm_nt/{M}/{K}/{N}"] = best_time(lambda: torch.matmul(a, bt.t()), min_time)
        at = torch.randn(K, M)  # dW = dy^T x
        out[f"gemm_tn/{M}/{K}/{N}"] = best_time(lambda: torch.matmul(at.t(), b), min_time)


def embedding_linear(V, C, batch, lr, momentum):
    torch.manual_seed(0)
    emb, lin = torch.nn.Embedding(V, C), torch.nn.Linear(C, V)
    opt = torch.optim.SGD(list(emb.parameters()) + list(lin.parameters()), lr=lr, momentum=momentum)
    ids, targets = torch.randint(0, V, (batch,)), torch.randint(0, V, (batch,))

    def step():
        loss = F.cross_entropy(lin(emb(ids)), targets)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    return step


def workload_results(out, min_time):
    out["W1_toy_step"] = best_time(embedding_linear(6, 3, 4, 0.1, 0.0), min_time)
    out["W2_bigram_step"] = best_time(embedding_linear(1024, 64, 512, 0.1, 0.9), min_time)
    for V in (1000, 10000, 100000):
        w = torch.randn(V, 256, requires_grad=True)
        ids = torch.randint(0, V, (1024,))

        def emb():
            F.embedding(ids, w).sum().backward()
            w.grad = None

        def onehot():
            (F.one_hot(ids, V).to(torch.float) @ w).sum().backward()
            w.grad = None
        out[f"W5_embedding/{V}"] = best_time(emb, min_time)
        out[f"W5_one_hot/{V}"] = best_time(onehot, min_time, repeats=1 if V == 100000 else 3)


def softmax_results(out, min_time):
    torch.manual_seed(0)
    x, g = torch.randn(512, 1024, requires_grad=True), torch.randn(512, 1024)

    def step(fn):
        def run():
            fn(x, -1).backward(g)
            x.grad = None
        return run
    out["softmax_rows"] = best_time(step(torch.softmax), min_time)
    out["log_softmax_rows"] = best_time(step(torch.log_softmax), min_time)


def elementwise_results(out, min_time):
    torch.manual_seed(0)
    x = torch.randn(1 << 20)
    out["exp"] = best_time(lambda: torch.exp(x), min_time)
    out["tanh"] = best_time(lambda: torch.tanh(x), min_time)
    out["gelu_tanh"] = best_time(lambda: F.gelu(x, approximate="tanh"), min_time)


def layer_results(out, min_time):
    """bench/layers.cpp's workloads, forward + backward. torch 1.13 has no fused attention:
    its attention is the composite GPT code wrote (nanoGPT's manual path, the book's chapter 3)."""
    torch.manual_seed(0)
    x, g = torch.randn(8, 256, 768, requires_grad=True), torch.randn(8, 256, 768)
    w, b = torch.randn(768, requires_grad=True), torch.randn(768, requires_grad=True)

    def layer_norm():
        F.layer_norm(x, (768,), w, b).backward(g)
        x.grad = w.grad = b.grad = None
    out["layer_norm"] = best_time(layer_norm, min_time)

    def dropout():
        F.dropout(x, 0.1, training=True).backward(g)
        x.grad = None
    out["dropout"] = best_time(dropout, min_time)

    for T in (256, 1024):
        q, k, v = (torch.randn(1, 12, T, 64, requires_grad=True) for _ in range(3))
        gh = torch.randn(1, 12, T, 64)
        future = torch.ones(T, T, dtype=torch.bool).triu(1)

        def attention():
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(64))
            att = att.masked_fill(future, float("-inf")).softmax(-1)
            (att @ v).backward(gh)
            q.grad = k.grad = v.grad = None
        out[f"attention/{T}"] = best_time(attention, min_time)


GPT_WORKLOADS = {  # bench/workloads.cpp's W3 and W4: (benchmark name, config, batch)
    "W3": ("W3_gpt_mini_step", dict(vocab_size=512, context_length=64, emb_dim=128, n_heads=4, n_layers=4), 8),
    "W4": ("W4_gpt_step", dict(vocab_size=8192, context_length=256, emb_dim=384, n_heads=6, n_layers=6), 4),
}


def rss_now_mib():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def gpt_results(out, name, min_time, book):
    """One AdamW training step of the book's GPTModel (tools/gpt_book.py), dropout 0. Unless
    `book`, its LayerNorm and GELU run as torch's fused F.layer_norm and F.gelu(approximate="tanh"):
    the same functions, torch's fastest kernels for them."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
    import gpt_book
    if not book:
        gpt_book.LayerNorm.forward = lambda self, x: F.layer_norm(x, x.shape[-1:], self.scale, self.shift, self.eps)
        gpt_book.GELU.forward = lambda self, x: F.gelu(x, approximate="tanh")
    rss_before = rss_now_mib()
    key, cfg, batch = GPT_WORKLOADS[name]
    cfg = dict(cfg, drop_rate=0.0, qkv_bias=False)
    torch.manual_seed(123)
    model = gpt_book.GPTModel(cfg)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=4e-4, weight_decay=0.1)
    T, V = cfg["context_length"], cfg["vocab_size"]
    ids, targets = torch.randint(0, V, (batch, T)), torch.randint(0, V, (batch, T))

    def step():
        loss = F.cross_entropy(model(ids).flatten(0, 1), targets.flatten())
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    step()  # AdamW's state, first touch
    start = time.perf_counter()
    step()
    n = max(1, math.ceil(min_time / (time.perf_counter() - start)))
    wall = cpu = float("inf")
    for _ in range(3):  # best of 3 batches of n steps: wall time, and CPU time of all threads
        w, c = time.perf_counter(), time.process_time()
        for _ in range(n):
            step()
        wall, cpu = min(wall, (time.perf_counter() - w) / n), min(cpu, (time.process_time() - c) / n)
    out[key] = wall
    out[f"{key}_cpu"] = cpu
    out[f"{name}_rss_before_MiB"] = rss_before
    out[f"{name}_peak_rss_MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def overhead_results(out, min_time):
    x = torch.ones(4, requires_grad=True)

    def chain():
        y = x
        for _ in range(50):
            y = (y * 1.0001) + 0.5
        return y

    def fwd_bwd():
        chain().sum().backward()
        x.grad = None

    def no_grad():
        with torch.no_grad():
            chain()
    out["overhead_forward_recorded"] = best_time(chain, min_time) / 100
    out["overhead_forward_backward"] = best_time(fwd_bwd, min_time) / 100
    out["overhead_no_grad"] = best_time(no_grad, min_time) / 100


def main():
    threads = int(sys.argv[1])
    min_time = 0.1 if "--quick" in sys.argv else 0.3
    for a in sys.argv[2:]:
        if a.startswith("--min-time="):
            min_time = float(a.split("=", 1)[1])
    torch.set_num_threads(threads)
    out = {}
    for name in GPT_WORKLOADS:
        if f"--only={name}" in sys.argv:
            gpt_results(out, name, min_time, "--book" in sys.argv)
            print(json.dumps(out))
            return
    layer_results(out, min_time)
    if "--only=layers" in sys.argv:
        print(json.dumps(out))
        return
    gemm_results(out, min_time)
    workload_results(out, min_time)
    softmax_results(out, min_time)
    elementwise_results(out, min_time)
    if threads == 1:
        overhead_results(out, min_time)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
