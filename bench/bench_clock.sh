#!/bin/sh
# bench_clock.sh: the clock's loop, where every task is a fiber on one
# thread (the virtual clock and the async executor). Figures, never a
# verdict; each the median of RUNS runs (5), the two sides alternating.
#  1. Dishes per second of a virtual-clock run (1 washer at 1 ms, 2 dryers
#     at 2 ms a dish): how fast "what theory predicts" is computed.
#  2. A zero-work run with 4,000 dryers: async tasks against threads, the
#     wall time of the whole process, start and teardown included.
set -u
DISHRACK=${DISHRACK:-src/dishrack}
RUNS=${RUNS:-5}
DISHES=${DISHES:-200000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# wall SECONDS of one command, from date, to the millisecond.
wall() {
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

virtual="--headless -q --clock virtual --set scenario.dishes=$DISHES
    --set washer.time=1ms --set dryer.time=2ms --set washer.say=
    --set dryer.say= seed-threads"
i=0
while [ $i -lt "$RUNS" ]; do
	# shellcheck disable=SC2086
	wall "$DISHRACK" $virtual >>$TMP/virtual
	i=$((i + 1))
done
v=$(median <$TMP/virtual)
echo "virtual clock: $DISHES dishes in ${v} s: $(awk -v n="$DISHES" \
    -v s="$v" 'BEGIN { printf "%.0f", n / s }') dishes/s (median of $RUNS)"

many="--headless -q --set dryer.count=4000 --set scenario.dishes=100000
    --set washer.time=0 --set dryer.time=0 async"
i=0
while [ $i -lt "$RUNS" ]; do
	# shellcheck disable=SC2086
	wall "$DISHRACK" $many >>$TMP/async
	# shellcheck disable=SC2086
	wall "$DISHRACK" $many --set scenario.mode=threads >>$TMP/threads
	i=$((i + 1))
done
a=$(median <$TMP/async)
t=$(median <$TMP/threads)
echo "4000 zero-work dryers, 100000 dishes: async ${a} s, threads ${t} s:" \
    "async takes $(awk -v a="$a" -v t="$t" 'BEGIN { printf "%.2f", a / t }')x" \
    "the time of threads (median of $RUNS)"
