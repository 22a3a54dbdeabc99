#!/bin/sh
# bench_record.sh: what --record costs. A zero-work run of DISHES dishes
# (1,000,000) through seed-threads (1 washer, 2 dryers, threads, quiet),
# with --record to a file in TMPDIR against the same without, the wall
# time of the whole process (the recording's last flush and close
# included), RUNS runs (7) of each alternating, medians; then the size of
# the file and how long --replay takes to read it. Target: the recorded
# run no more than 2x the plain one. Figures, never a verdict.
set -u
DISHRACK=${DISHRACK:-src/dishrack}
RUNS=${RUNS:-7}
DISHES=${DISHES:-1000000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

wall() {
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

zero="--headless -q --set scenario.dishes=$DISHES --set washer.time=0
    --set dryer.time=0 seed-threads"
i=0
while [ $i -lt "$RUNS" ]; do
	# shellcheck disable=SC2086
	wall "$DISHRACK" $zero >>$TMP/plain
	# shellcheck disable=SC2086
	wall "$DISHRACK" $zero --record "$TMP/run.jsonl" >>$TMP/record
	i=$((i + 1))
done
p=$(median <$TMP/plain)
r=$(median <$TMP/record)
bytes=$(wc -c <"$TMP/run.jsonl")
lines=$(wc -l <"$TMP/run.jsonl")
i=0
while [ $i -lt "$RUNS" ]; do
	wall "$DISHRACK" --headless -q --replay "$TMP/run.jsonl" >>$TMP/replay
	i=$((i + 1))
done
rp=$(median <$TMP/replay)
echo "zero-work, $DISHES dishes: plain ${p} s, recorded ${r} s:" \
    "$(awk -v a="$r" -v b="$p" 'BEGIN { printf "%.2f", a / b }')x" \
    "(median of $RUNS, target <= 2x)"
echo "recording: $bytes bytes, $lines lines" \
    "($(awk -v b="$bytes" -v n="$DISHES" 'BEGIN { printf "%.0f", b / n }') bytes a dish);" \
    "--replay reads it in ${rp} s"
