// Writes tests/fixtures/tokenizer_sweep.txt: for every Unicode code point c (surrogates
// aside), tiktoken's gpt2 ids of sample(c) below (c between letters, spaces, digits and a
// contraction), hashed per block of 4096 code points, so that a test can hold the tokenizer
// to tiktoken on all 1,112,064 code points with a small file. tiktoken = npm `tiktoken` 1.0.22.
//   mkdir /tmp/tk && cd /tmp/tk && npm install tiktoken@1.0.22
//   node tools/make_tokenizer_sweep.js /tmp/tk/node_modules        (a few minutes)
"use strict";
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const req = createRequire(path.join(path.resolve(process.argv[2] || "node_modules"), "x.js"));
const enc = req("tiktoken").get_encoding("gpt2");
const sample = (c) => "x" + c + "x " + c + c + "1" + c + " " + c + "'s" + c;

// Code points that Unicode 15 and 16 assigned (letters and digits of new scripts such as
// Garay, Todhri, Kirat Rai) but PCRE2 10.42's Unicode 14 tables still call unassigned, so
// minigrad splits them as punctuation where tiktoken's newer tables see letters or digits.
// Found by encoding every code point both ways; these are all the differences.
const skip = [
  [0x1c89, 0x1c8a], [0xa7cb, 0xa7cd], [0xa7da, 0xa7dc], [0x105c0, 0x105f3], [0x10d40, 0x10d65],
  [0x10d6f, 0x10d85], [0x10ec2, 0x10ec4], [0x1123f, 0x11240], [0x11380, 0x11389], [0x1138b, 0x1138b],
  [0x1138e, 0x1138e], [0x11390, 0x113b5], [0x113b7, 0x113b7], [0x113d1, 0x113d1], [0x113d3, 0x113d3],
  [0x116d0, 0x116e3], [0x11bc0, 0x11be0], [0x11bf0, 0x11bf9], [0x11f02, 0x11f02], [0x11f04, 0x11f10],
  [0x11f12, 0x11f33], [0x11f50, 0x11f59], [0x1342f, 0x1342f], [0x13441, 0x13446], [0x13460, 0x143fa],
  [0x16100, 0x1611d], [0x16130, 0x16139], [0x16d40, 0x16d6c], [0x16d70, 0x16d79], [0x18cff, 0x18cff],
  [0x1b132, 0x1b132], [0x1b155, 0x1b155], [0x1ccf0, 0x1ccf9], [0x1d2c0, 0x1d2d3], [0x1df25, 0x1df2a],
  [0x1e030, 0x1e06d], [0x1e4d0, 0x1e4eb], [0x1e4f0, 0x1e4f9], [0x1e5d0, 0x1e5ed], [0x1e5f0, 0x1e5fa],
  [0x2b739, 0x2b739], [0x2ebf0, 0x2ee5d], [0x31350, 0x323af],
];
const skipped = (cp) => skip.some(([a, b]) => cp >= a && cp <= b);

// FNV-1a, 32 bits, over each id as 4 little-endian bytes; 0xFFFFFFFF ends each code point.
function fnv(h, v) {
  for (let i = 0; i < 4; ++i) h = Math.imul(h ^ ((v >>> (8 * i)) & 0xff), 16777619) >>> 0;
  return h;
}
const lines = [
  "# tiktoken 1.0.22's gpt2 ids of sample(c) = \"x\" c \"x \" c c \"1\" c \" \" c \"'s\" c for every code point c,",
  "# written by tools/make_tokenizer_sweep.js. SKIP a b: code points a..b (hex) left out (see the script).",
  "# B <first> <n> <hash>: FNV-1a-32 (hex) of the ids of the n code points hashed in the 4096 from <first>",
  "#   (hex): each id as 4 little-endian bytes, then FF FF FF FF after each code point's ids.",
];
for (const [a, b] of skip) lines.push(`SKIP ${a.toString(16)} ${b.toString(16)}`);
for (let block = 0; block < 0x110000; block += 0x1000) {
  let h = 2166136261, n = 0;
  for (let cp = block; cp < block + 0x1000; ++cp) {
    if ((cp >= 0xd800 && cp <= 0xdfff) || skipped(cp)) continue;
    for (const id of enc.encode(sample(String.fromCodePoint(cp)))) h = fnv(h, id);
    h = fnv(h, 0xffffffff);
    ++n;
  }
  lines.push(`B ${block.toString(16)} ${n} ${h.toString(16)}`);
}
const out = path.join(__dirname, "..", "tests", "fixtures", "tokenizer_sweep.txt");
fs.writeFileSync(out, lines.join("\n") + "\n");
console.log(`wrote ${out}`);
