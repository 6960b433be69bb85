// tiktoken's side of bench/tokenizer: encodes the same text with npm `tiktoken` 1.0.22 (WASM
// build of OpenAI's Rust core) and `js-tiktoken` 1.0.21 (pure JavaScript), best of 5, MB/s.
//   mkdir /tmp/tk && cd /tmp/tk && npm install tiktoken@1.0.22 js-tiktoken@1.0.21
//   node bench/tiktoken_encode.js /tmp/tk/node_modules [text file, default GPL-3 x 34]
"use strict";
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const req = createRequire(path.join(path.resolve(process.argv[2] || "node_modules"), "x.js"));
const text = process.argv[3]
  ? fs.readFileSync(process.argv[3], "utf8")
  : fs.readFileSync("/usr/share/common-licenses/GPL-3", "utf8").repeat(34);
const bytes = Buffer.byteLength(text, "utf8");

function time(name, encode) {
  let best = Infinity, n = 0;
  for (let round = 0; round < 5; ++round) {
    const t0 = process.hrtime.bigint();
    n = encode(text).length;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  console.log(`${name}: ${(bytes / 1e6).toFixed(3)} MB, ${n} tokens, best ${(best * 1e3).toFixed(1)} ms, ` +
              `${(bytes / 1e6 / best).toFixed(2)} MB/s`);
}
const wasm = req("tiktoken").get_encoding("gpt2");
time("tiktoken 1.0.22 (WASM)", (t) => wasm.encode(t));
const js = req("js-tiktoken").getEncoding("gpt2");
time("js-tiktoken 1.0.21", (t) => js.encode(t));
