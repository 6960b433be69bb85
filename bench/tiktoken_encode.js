// tiktoken's side of bench/tokenizer: encodes the same text with npm `tiktoken` 1.0.22 (WASM
// build of OpenAI's Rust core) and `js-tiktoken` 1.0.21 (pure JavaScript): MB/s, wall and CPU.
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

// Wall time and this process's CPU time (user + system), best of 5 each: on a shared,
// loaded machine the CPU figure is the one to compare with Google Benchmark's CPU column.
function time(name, encode) {
  let bestWall = Infinity, bestCpu = Infinity, n = 0;
  for (let round = 0; round < 5; ++round) {
    const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    n = encode(text).length;
    const cpu = process.cpuUsage(c0);
    bestWall = Math.min(bestWall, Number(process.hrtime.bigint() - t0) / 1e9);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
  }
  const mb = bytes / 1e6;
  console.log(`${name}: ${mb.toFixed(3)} MB, ${n} tokens; wall ${(bestWall * 1e3).toFixed(1)} ms = ` +
              `${(mb / bestWall).toFixed(2)} MB/s; cpu ${(bestCpu * 1e3).toFixed(1)} ms = ${(mb / bestCpu).toFixed(2)} MB/s`);
}
const wasm = req("tiktoken").get_encoding("gpt2");
time("tiktoken 1.0.22 (WASM)", (t) => wasm.encode(t));
const js = req("js-tiktoken").getEncoding("gpt2");
time("js-tiktoken 1.0.21", (t) => js.encode(t));
