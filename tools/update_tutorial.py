#!/usr/bin/env python3
"""Refreshes the generated blocks of the docs from the real examples and tests.

    tools/update_tutorial.py [BUILD_DIR]      (default: build)

Two kinds of markers in docs/**/*.md, each followed by a fenced block:
  <!-- snippet FILE NAME -->                the lines between `// [snippet NAME]`
                                            and `// [end NAME]` in FILE (an example,
                                            or a test under tests/docs/)
  <!-- output PROGRAM ARGS... -->           what BUILD_DIR/examples/PROGRAM ARGS prints
The test tests/docs/tutorial_test.cpp checks the same blocks against a fresh run
(train_gpt's, which need GPT-2's vocabulary: tests/docs/training_tutorial_test.cpp),
so the docs can never show code that is not run, or a number the code does not print.
Needs no torch: only the built examples.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = re.compile(r"^<!-- (snippet|output) (.*?) -->$")


def snippet(path, name):
    lines = open(os.path.join(ROOT, path)).read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == f"// [snippet {name}]")
    end = next(i for i, l in enumerate(lines) if l.strip() == f"// [end {name}]")
    body = lines[start + 1:end]
    indent = min((len(l) - len(l.lstrip()) for l in body if l.strip()), default=0)
    return [l[indent:] for l in body]


def output(build, program, args):
    exe = os.path.join(build, "examples", program)
    run = subprocess.run([exe] + args, capture_output=True, text=True, check=True)
    return run.stdout.rstrip("\n").splitlines()


def refresh(md_path, build):
    lines = open(md_path).read().splitlines()
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        m = MARKER.match(lines[i])
        i += 1
        if not m:
            continue
        kind, words = m.group(1), m.group(2).split()
        body = snippet(words[0], words[1]) if kind == "snippet" else output(build, words[0], words[1:])
        fence = lines[i]  # the opening fence, kept as written (```cpp or ```text)
        if not fence.startswith("```"):
            sys.exit(f"{md_path}: a fenced block must follow line {i}")
        j = i + 1
        while not lines[j].startswith("```"):
            j += 1
        out += [fence] + body + ["```"]
        i = j + 1
    open(md_path, "w").write("\n".join(out) + "\n")


# The pictures: (program, its arguments before "--dot FILE", the SVG under docs/tutorial/).
GRAPHS = [
    ("next_token", ["--steps", "1", "--quiet"], "next_token_graph.svg"),  # one training step
    ("gpt_ch04", ["--config", "small"], "gpt_block_graph.svg"),           # one TransformerBlock
]


def render_graph(build, tutorial, program, args, svg_name):
    """docs/tutorial/<svg_name>: the graph the program writes with --dot, drawn by graphviz's dot."""
    dot_file = os.path.join(tutorial, svg_name.replace(".svg", ".dot"))
    subprocess.run([os.path.join(build, "examples", program)] + args + ["--dot", dot_file],
                   check=True, capture_output=True)
    try:
        svg = subprocess.run(["dot", "-Tsvg", dot_file], check=True, capture_output=True).stdout
        open(os.path.join(tutorial, svg_name), "wb").write(svg)
        print(f"rendered docs/tutorial/{svg_name}")
    except FileNotFoundError:
        print(f"graphviz's dot is not installed; docs/tutorial/{svg_name} was left as it was")
    finally:
        os.remove(dot_file)


def draw_attention(build, tutorial):
    """docs/tutorial/causal_attention.svg: section 3.5.1's causal weights, drawn by attention_ch03 --svg."""
    svg = os.path.join(tutorial, "causal_attention.svg")
    subprocess.run([os.path.join(build, "examples", "attention_ch03"), "--section", "3.5.1", "--svg", svg],
                   check=True, capture_output=True)
    print("drew docs/tutorial/causal_attention.svg")


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    docs = os.path.join(ROOT, "docs")
    for program, args, svg_name in GRAPHS:
        render_graph(build, os.path.join(docs, "tutorial"), program, args, svg_name)
    draw_attention(build, os.path.join(docs, "tutorial"))
    for folder, _, names in sorted(os.walk(docs)):
        for name in sorted(names):
            if name.endswith(".md"):
                path = os.path.join(folder, name)
                refresh(path, build)
                print(f"refreshed {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
