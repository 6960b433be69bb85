"""Carry a PyTorch state_dict to and from minigrad's safetensors files (core/safetensors.h) with
torch alone: the bytes go through tools/safetensors_io.py (standard library only; Debian has no
safetensors package). The keys are the book's, so a minigrad llm::GPTModel and the book's
GPTModel (tools/gpt_book.py) load each other's weights:

    import gpt_book, torch_safetensors
    model = gpt_book.GPTModel(cfg)
    model.load_state_dict(torch_safetensors.load("gpt.safetensors"))   # minigrad -> PyTorch
    torch_safetensors.save("gpt.safetensors", model.state_dict())      # PyTorch -> minigrad

A tied tensor (out_head.weight = tok_emb.weight) is listed by state_dict under each of its
names; it is written under each (as minigrad writes it), and loads into a tied or an untied
model. Run on its own, it lists a file's tensors:  /usr/bin/python3 tools/torch_safetensors.py FILE
"""
import sys

import torch

import safetensors_io

CODES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.bool: "BOOL"}
DTYPES = {code: dtype for dtype, code in CODES.items()}


def save(path, state_dict, metadata=None):
    """Writes every tensor of `state_dict` (a name -> tensor mapping), in its order."""
    tensors = []
    for name, t in state_dict.items():
        if t.dtype not in CODES:
            raise ValueError(f"{path}: tensor '{name}' is {t.dtype}; minigrad loads F32, F64, I64 and BOOL")
        t = t.detach().cpu().contiguous()
        tensors.append((name, CODES[t.dtype], list(t.shape), t.numpy().tobytes()))
    safetensors_io.write(path, tensors, metadata)


def load(path):
    """The file's tensors as a name -> tensor dict, in the header's order, for model.load_state_dict."""
    tensors, _ = safetensors_io.read(path)
    state = {}
    for name, (code, shape, data) in tensors.items():
        if code not in DTYPES:
            raise ValueError(f"{path}: tensor '{name}' has dtype {code}; this reader knows F32, F64, I64 and BOOL")
        flat = torch.frombuffer(bytearray(data), dtype=DTYPES[code]) if data else torch.empty(0, dtype=DTYPES[code])
        state[name] = flat.reshape(shape)
    return state


if __name__ == "__main__":
    tensors, metadata = safetensors_io.read(sys.argv[1])
    for key, value in metadata.items():
        print(f"__metadata__ {key} = {value}")
    for name, (code, shape, data) in tensors.items():
        print(f"{name} {code} {shape}")
