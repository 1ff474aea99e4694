# Sourced by the sanitizer and arm64 scripts: run_sharded CMD... runs a
# GoogleTest binary (CMD, e.g. `qemu-aarch64 build/tconv_tests --gtest_filter=...`)
# as one shard per CPU (at most 4) at once, through GoogleTest's own
# GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX, and prints each shard's output
# after it ends. Fails when any shard fails. The tests already run
# concurrently under ctest -j (scripts/test.sh), so shards share nothing.
# The ASan run's tests took 265 s in one process on 2 cores.
run_sharded() {
  local shards dir i rc=0
  shards=$(nproc 2>/dev/null || echo 1)
  ((shards > 4)) && shards=4
  dir=$(mktemp -d)
  local pids=()
  for ((i = 0; i < shards; ++i)); do
    GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i "$@" > "$dir/shard$i.log" 2>&1 &
    pids+=($!)
  done
  for ((i = 0; i < shards; ++i)); do
    wait "${pids[$i]}" || rc=1
    echo "--- shard $((i + 1)) of $shards"
    cat "$dir/shard$i.log"
  done
  rm -rf "$dir"
  return "$rc"
}
