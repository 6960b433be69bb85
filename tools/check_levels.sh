#!/usr/bin/env bash
# Checks that each CPU level's object file (core/kernels/cpu_<level>.cpp, see
# core/kernels/level_kernels.h) defines no global or weak symbol outside its own namespace:
# such a symbol, compiled with that level's flags, could be the one the linker keeps for
# every caller, and crash a CPU without that level. Usage: tools/check_levels.sh BUILD_DIR
set -euo pipefail
dir=${1:?usage: tools/check_levels.sh BUILD_DIR}
status=0
for level in portable avx2 avx512; do
  obj=$(find "$dir" -path "*core/kernels/cpu_$level.cpp.o" | head -1)
  [ -n "$obj" ] || continue
  # global (upper-case) or unique (u) definitions, except the level's own namespace (and
  # AddressSanitizer's __odr_asan markers of them)
  bad=$(nm -C --defined-only "$obj" | awk '$2 ~ /^[A-Zu]$/' | grep -v -e "minigrad::kernels::$level::" -e "__odr_asan" || true)
  if [ -n "$bad" ]; then
    echo "cpu_$level.cpp.o defines symbols outside minigrad::kernels::$level:"
    echo "$bad"
    status=1
  fi
done
[ $status -eq 0 ] && echo "level objects: every global symbol is in its level's namespace"
exit $status
