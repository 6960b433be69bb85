"""A standard-library reader and writer of the safetensors format, to carry checkpoints between
minigrad (core/safetensors.h) and PyTorch without the safetensors package (Debian has none).

read(path)  -> (tensors, metadata): tensors maps name -> (dtype, shape, raw little-endian bytes)
write(path, tensors, metadata=None): tensors is a list of (name, dtype, shape, bytes), written
in that order after "__metadata__", as compact JSON padded with spaces: the bytes minigrad's
save_safetensors writes. With torch: bytes = t.contiguous().numpy().tobytes(), and back
torch.frombuffer(bytearray(data), dtype=torch.float32).reshape(shape); tools/torch_safetensors.py
does both for a whole state_dict.
"""
import json
import struct

SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4,
         "F32": 4, "F64": 8, "I64": 8, "U64": 8}


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    metadata = header.pop("__metadata__", {})
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        assert end - begin == count * SIZES[info["dtype"]], f"{name}: shape and data_offsets disagree"
        tensors[name] = (info["dtype"], list(info["shape"]), data[begin:end])
    return tensors, metadata


def write(path, tensors, metadata=None):
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(t[3] for t in tensors))
