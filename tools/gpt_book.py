"""The book's chapter 4 GPT in PyTorch (Build a Large Language Model (From Scratch),
ch04/gpt.py), as the reference for llm/ (llm/gpt.h, llm/attention.h), and chapter 5's
generate and calc_loss_batch (llm/generate.h, tests/llm/train_loop_test.cpp).

Imported by tools/make_gpt_fixtures.py, tools/make_generate_fixtures.py and
tools/make_train_loop_fixtures.py; run on its own it prints chapter 4's cells
as examples/gpt_ch04.cpp prints them:
    /usr/bin/python3 tools/gpt_book.py [--config small|124M]
Not a library: the classes are the book's, unchanged but for comments.
"""
import argparse

import torch
import torch.nn as nn

GPT_CONFIG_124M = {
    "vocab_size": 50257,
    "context_length": 1024,
    "emb_dim": 768,
    "n_heads": 12,
    "n_layers": 12,
    "drop_rate": 0.1,
    "qkv_bias": False,
}
# A reduced configuration with GPT-2's vocabulary, so the book's token ids still fit.
GPT_CONFIG_SMALL = dict(GPT_CONFIG_124M, context_length=64, emb_dim=48, n_heads=4, n_layers=2)


class MultiHeadAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        assert d_out % num_heads == 0, "d_out must be divisible by num_heads"
        self.d_out = d_out
        self.num_heads = num_heads
        self.head_dim = d_out // num_heads
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = nn.Linear(d_out, d_out)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, num_tokens, d_in = x.shape
        keys = self.W_key(x)
        queries = self.W_query(x)
        values = self.W_value(x)
        keys = keys.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        values = values.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        queries = queries.view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
        attn_scores = queries @ keys.transpose(2, 3)
        mask_bool = self.mask.bool()[:num_tokens, :num_tokens]
        attn_scores.masked_fill_(mask_bool, -torch.inf)
        attn_weights = torch.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
        attn_weights = self.dropout(attn_weights)
        context_vec = (attn_weights @ values).transpose(1, 2)
        context_vec = context_vec.contiguous().view(b, num_tokens, self.d_out)
        return self.out_proj(context_vec)


class LayerNorm(nn.Module):
    def __init__(self, emb_dim):
        super().__init__()
        self.eps = 1e-5
        self.scale = nn.Parameter(torch.ones(emb_dim))
        self.shift = nn.Parameter(torch.zeros(emb_dim))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        norm_x = (x - mean) / torch.sqrt(var + self.eps)
        return self.scale * norm_x + self.shift


class GELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1 + torch.tanh(torch.sqrt(torch.tensor(2.0 / torch.pi)) * (x + 0.044715 * torch.pow(x, 3))))


class FeedForward(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(cfg["emb_dim"], 4 * cfg["emb_dim"]),
            GELU(),
            nn.Linear(4 * cfg["emb_dim"], cfg["emb_dim"]),
        )

    def forward(self, x):
        return self.layers(x)


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.att = MultiHeadAttention(d_in=cfg["emb_dim"], d_out=cfg["emb_dim"],
                                      context_length=cfg["context_length"], num_heads=cfg["n_heads"],
                                      dropout=cfg["drop_rate"], qkv_bias=cfg["qkv_bias"])
        self.ff = FeedForward(cfg)
        self.norm1 = LayerNorm(cfg["emb_dim"])
        self.norm2 = LayerNorm(cfg["emb_dim"])
        self.drop_shortcut = nn.Dropout(cfg["drop_rate"])

    def forward(self, x):
        shortcut = x
        x = self.norm1(x)
        x = self.att(x)
        x = self.drop_shortcut(x)
        x = x + shortcut
        shortcut = x
        x = self.norm2(x)
        x = self.ff(x)
        x = self.drop_shortcut(x)
        x = x + shortcut
        return x


class GPTModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.pos_emb = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
        self.drop_emb = nn.Dropout(cfg["drop_rate"])
        self.trf_blocks = nn.Sequential(*[TransformerBlock(cfg) for _ in range(cfg["n_layers"])])
        self.final_norm = LayerNorm(cfg["emb_dim"])
        self.out_head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False)

    def forward(self, in_idx):
        batch_size, seq_len = in_idx.shape
        tok_embeds = self.tok_emb(in_idx)
        pos_embeds = self.pos_emb(torch.arange(seq_len, device=in_idx.device))
        x = tok_embeds + pos_embeds
        x = self.drop_emb(x)
        x = self.trf_blocks(x)
        x = self.final_norm(x)
        return self.out_head(x)


def generate_text_simple(model, idx, max_new_tokens, context_size):
    for _ in range(max_new_tokens):
        idx_cond = idx[:, -context_size:]
        with torch.no_grad():
            logits = model(idx_cond)
        logits = logits[:, -1, :]
        probas = torch.softmax(logits, dim=-1)
        idx_next = torch.argmax(probas, dim=-1, keepdim=True)
        idx = torch.cat((idx, idx_next), dim=1)
    return idx


def generate(model, idx, max_new_tokens, context_size, temperature=0.0, top_k=None, eos_id=None):
    """Chapter 5's decoder: top-k, temperature, multinomial sampling, greedy at temperature 0,
    stop at eos_id. One change: the book's `min_val = top_logits[:, -1]` has shape (B,) and
    broadcasts against the vocabulary, not the batch, which is only right for a batch of one;
    `top_logits[:, -1:]` (B, 1) is the same for one row and right for several."""
    for _ in range(max_new_tokens):
        idx_cond = idx[:, -context_size:]
        with torch.no_grad():
            logits = model(idx_cond)
        logits = logits[:, -1, :]
        if top_k is not None:
            top_logits, _ = torch.topk(logits, top_k)
            min_val = top_logits[:, -1:]
            logits = torch.where(logits < min_val, torch.tensor(float("-inf")).to(logits.device), logits)
        if temperature > 0.0:
            logits = logits / temperature
            probs = torch.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)
        else:
            idx_next = torch.argmax(logits, dim=-1, keepdim=True)
        if idx_next == eos_id:
            break
        idx = torch.cat((idx, idx_next), dim=1)
    return idx


def calc_loss_batch(input_batch, target_batch, model, device="cpu"):
    """Chapter 5: the mean cross-entropy of the next-token logits."""
    input_batch, target_batch = input_batch.to(device), target_batch.to(device)
    logits = model(input_batch)
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), target_batch.flatten())


class ExampleDeepNeuralNetwork(nn.Module):
    def __init__(self, layer_sizes, use_shortcut):
        super().__init__()
        self.use_shortcut = use_shortcut
        self.layers = nn.ModuleList([
            nn.Sequential(nn.Linear(layer_sizes[i], layer_sizes[i + 1]), GELU()) for i in range(5)
        ])

    def forward(self, x):
        for layer in self.layers:
            layer_output = layer(x)
            if self.use_shortcut and x.shape == layer_output.shape:
                x = x + layer_output
            else:
                x = layer_output
        return x


def print_gradients(model, x):
    output = model(x)
    target = torch.tensor([[0.]])
    loss = nn.MSELoss()
    loss = loss(output, target)
    loss.backward()
    for name, param in model.named_parameters():
        if "weight" in name:
            # Four significant digits (the book prints all of them): the last digits depend on
            # the order of float32 sums and differ between PyTorch builds, too.
            print(f"{name} has gradient mean of {param.grad.abs().mean().item():.4g}")


def shape_str(s):
    return "[" + ", ".join(str(d) for d in s) + "]"


def ch04(cfg):
    """The chapter's cells, printing what examples/gpt_ch04.cpp prints (same order, same text)."""
    print("== 4.2 Normalizing activations with layer normalization")
    torch.manual_seed(123)
    batch_example = torch.randn(2, 5)
    layer = nn.Sequential(nn.Linear(5, 6), nn.ReLU())
    out = layer(batch_example)
    print(out)
    mean = out.mean(dim=-1, keepdim=True)
    var = out.var(dim=-1, keepdim=True)
    print("Mean:\n", mean)
    print("Variance:\n", var)
    out_norm = (out - mean) / torch.sqrt(var)
    mean = out_norm.mean(dim=-1, keepdim=True)
    var = out_norm.var(dim=-1, keepdim=True)
    print("Normalized layer outputs:\n", out_norm)
    # The book prints the means here: rounding noise of order 1e-8, whose digits depend on
    # the order of the sums; we print that they are zero to six decimals instead.
    print("Mean is zero (|mean| < 1e-6):\n", mean.abs() < 1e-6)
    print("Variance:\n", var)
    ln = LayerNorm(emb_dim=5)
    out_ln = ln(batch_example)
    mean = out_ln.mean(dim=-1, keepdim=True)
    var = out_ln.var(dim=-1, unbiased=False, keepdim=True)
    print("Mean is zero (|mean| < 1e-6):\n", mean.abs() < 1e-6)
    print("Variance:\n", var)

    print("\n== 4.3 A feed forward network with GELU activations")
    gelu, relu = GELU(), nn.ReLU()
    x = torch.linspace(-3, 3, 7)
    print("x:   ", x)
    print("GELU:", gelu(x))
    print("ReLU:", relu(x))
    ffn = FeedForward(cfg)
    x = torch.rand(2, 3, cfg["emb_dim"])
    print("FeedForward output shape:", shape_str(ffn(x).shape))

    print("\n== 4.4 Adding shortcut connections")
    layer_sizes = [3, 3, 3, 3, 3, 1]
    sample_input = torch.tensor([[1., 0., -1.]])
    torch.manual_seed(123)
    print_gradients(ExampleDeepNeuralNetwork(layer_sizes, use_shortcut=False), sample_input)
    print()
    torch.manual_seed(123)
    print_gradients(ExampleDeepNeuralNetwork(layer_sizes, use_shortcut=True), sample_input)

    print("\n== 4.5 Connecting attention and linear layers in a transformer block")
    torch.manual_seed(123)
    x = torch.rand(2, 4, cfg["emb_dim"])
    block = TransformerBlock(cfg)
    output = block(x)
    print("Input shape:", shape_str(x.shape))
    print("Output shape:", shape_str(output.shape))

    print("\n== 4.6 Coding the GPT model")
    batch = torch.tensor([[6109, 3626, 6100, 345], [6109, 1110, 6622, 257]])
    torch.manual_seed(123)
    model = GPTModel(cfg)
    out = model(batch)
    print("Input batch:\n", batch)
    print("\nOutput shape:", shape_str(out.shape))
    print(out)
    total_params = sum(p.numel() for p in model.parameters())
    print(f"Total number of parameters: {total_params:,}")
    print("Token embedding layer shape:", shape_str(model.tok_emb.weight.shape))
    print("Output layer shape:", shape_str(model.out_head.weight.shape))
    total_params_gpt2 = total_params - sum(p.numel() for p in model.out_head.parameters())
    print(f"Number of trainable parameters considering weight tying: {total_params_gpt2:,}")
    total_size_mb = total_params * 4 / (1024 * 1024)
    print(f"Total size of the model: {total_size_mb:.2f} MB")

    print("\n== 4.7 Generating text")
    encoded = [15496, 11, 314, 716]
    print("encoded:", encoded)
    encoded_tensor = torch.tensor(encoded).unsqueeze(0)
    print("encoded_tensor.shape:", shape_str(encoded_tensor.shape))
    model.eval()
    out = generate_text_simple(model=model, idx=encoded_tensor, max_new_tokens=6,
                               context_size=cfg["context_length"])
    print("Output:", out)
    print("Output length:", len(out[0]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", choices=["small", "124M"], default="124M")
    args = parser.parse_args()
    ch04(GPT_CONFIG_124M if args.config == "124M" else GPT_CONFIG_SMALL)
