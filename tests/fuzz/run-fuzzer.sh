#!/bin/sh
# run-fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
# Runs a libFuzzer target for a bounded time. New inputs go to WORK_DIR (in
# the build tree), never into the committed seed corpus; a crash input is
# written beside it (crash-…) and named in the output, ready for the replay
# program. libFuzzer's own exit code for a crash is 77, which meson reads as
# "skipped": -error_exitcode makes it a failure.
set -eu
fuzzer=$(realpath "$1") seeds=$(realpath "$2") work=$3 seconds=$4
mkdir -p "$work/corpus"
cd "$work"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -artifact_prefix="$work/" -print_final_stats=1 \
  "$work/corpus" "$seeds"
