"""Writes tests/fixtures/llm_data.txt: the book's GPTDatasetV1 sliding window over token ids
and torch.utils.data.DataLoader's batches (shuffled or not, drop_last both ways, two passes in
a row) after torch.manual_seed(seed), read by tests/llm/data_test.cpp. After the two passes each
configuration also records torch.rand(4) from the default generator, which shows how many draws
the passes consumed.
Run with PyTorch 1.13:  /usr/bin/python3 tools/make_data_fixtures.py
"""
import os

import torch
from torch.utils.data import DataLoader, Dataset

import fixturelib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")


class GPTDatasetV1(Dataset):
    """The book's dataset (chapter 2), given token ids instead of text and a tokenizer."""

    def __init__(self, token_ids, max_length, stride):
        self.input_ids = []
        self.target_ids = []
        for i in range(0, len(token_ids) - max_length, stride):
            self.input_ids.append(torch.tensor(token_ids[i:i + max_length]))
            self.target_ids.append(torch.tensor(token_ids[i + 1:i + max_length + 1]))

    def __len__(self):
        return len(self.input_ids)

    def __getitem__(self, idx):
        return self.input_ids[idx], self.target_ids[idx]


# name: (seed, number of tokens, max_length, stride, batch_size, shuffle, drop_last)
CONFIGS = {
    "book": (123, 60, 4, 4, 8, False, False),
    "shuffle_s123": (123, 60, 4, 4, 2, True, True),
    "shuffle_s0_keep_last": (0, 61, 5, 3, 4, True, False),
    "shuffle_s7_stride1": (7, 40, 6, 1, 5, True, True),
    "shuffle_s42_keep_last": (42, 200, 8, 5, 7, True, False),
    "shuffle_big_seed": (3000000000, 33, 2, 2, 3, True, False),
    "noshuffle_drop": (5, 50, 4, 2, 6, False, True),
    "one_window": (9, 5, 4, 10, 2, True, False),
}


def records():
    for name, (seed, n, max_length, stride, batch_size, shuffle, drop_last) in CONFIGS.items():
        ids = [(i * 7919 + 13) % 50257 for i in range(n)]  # distinct ids, so each window is telling
        dataset = GPTDatasetV1(ids, max_length, stride)
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, num_workers=0)
        yield f"{name}_ids", torch.tensor(ids)
        torch.manual_seed(seed)
        for p in range(2):
            xs, ys, sizes = [], [], []
            for x, y in loader:
                xs.append(x)
                ys.append(y)
                sizes.append(x.shape[0])
            yield f"{name}_pass{p}_inputs", torch.cat(xs) if xs else torch.zeros(0, max_length, dtype=torch.int64)
            yield f"{name}_pass{p}_targets", torch.cat(ys) if ys else torch.zeros(0, max_length, dtype=torch.int64)
            yield f"{name}_pass{p}_sizes", torch.tensor(sizes, dtype=torch.int64)
        yield f"{name}_rand_after", torch.rand(4)


if __name__ == "__main__":
    fixturelib.write(os.path.join(OUT, "llm_data.txt"), records(),
                     "GPTDatasetV1 + DataLoader batches; tools/make_data_fixtures.py")
