#!/bin/sh
# bench_ab.sh: what a change costs, as instructions, not seconds. Builds
# BASE (a git revision, default HEAD~1) in a temporary worktree, then runs
# the same zero-work headless run with the base's dishrack and with this
# build's under valgrind's callgrind, RUNS times each, alternating, and
# prints the instruction counts and their ratio. Instructions are the
# same whatever else the machine is doing, so an A/B of a few per cent
# holds on a busy machine, where a wall-clock A/B does not.
#   make bench-ab BASE=e96451b   (or DISHRACK=... bench/bench_ab.sh REV)
set -eu
: "${DISHRACK:?set DISHRACK to the src/dishrack of this build}"
base=${1:-HEAD~1}
runs=${RUNS:-2}
dishes=${DISHES:-100000}
top=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "bench_ab: valgrind not installed"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dishrack-ab.XXXXXX")
cleanup() {
	git -C "$top" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
git -C "$top" worktree add -q --detach "$tmp/src" "$base"
(cd "$tmp/src" && autoreconf -fi && mkdir build && cd build &&
    ../configure -q && make -s -j2) >"$tmp/build.log" 2>&1 ||
    { echo "bench_ab: $base does not build:"; tail -20 "$tmp/build.log"; exit 1; }
args="--headless -q --set scenario.dishes=$dishes --set washer.time=0
    --set dryer.time=0 --set dryer.count=1 seed-threads"

# count BIN: instructions of one run.
count() {
	# shellcheck disable=SC2086
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$1" \
	    $args >/dev/null 2>"$tmp/cg.err"
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/cg.err"
}
echo "instructions of a $dishes-dish zero-work threads run (callgrind), $runs runs each"
echo "run   base ($base)      this build    this/base"
i=1
while [ "$i" -le "$runs" ]; do
	a=$(count "$tmp/src/build/src/dishrack")
	b=$(count "$DISHRACK")
	awk -v i="$i" -v a="$a" -v b="$b" \
	    'BEGIN { printf "%-5d %15d %15d %10.4fx\n", i, a, b, b / a }'
	i=$((i + 1))
done
