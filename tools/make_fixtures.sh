#!/usr/bin/env bash
# Regenerates every PyTorch reference fixture in tests/fixtures/ with Debian's torch
# (apt-get install python3-torch). The test suite itself never runs this.
set -euo pipefail
cd "$(dirname "$0")"
for script in make_*_fixtures.py; do
  echo "== $script"
  /usr/bin/python3 "$script"
done
echo "== make_attention_ch03_expected.py"
/usr/bin/python3 make_attention_ch03_expected.py
