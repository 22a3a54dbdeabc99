#!/bin/sh
# bench_tui.sh: what the screen costs. Figures, never a verdict.
#  1. CPU use of the dishrack process over 20 s of seed-threads at speed 1
#     with 16 dryers, on the screen (tmux), read from /proc/PID/stat.
#  2. Dishes per second of a zero-work run on the screen against --headless,
#     in the same run of this script. Target: the screen costs < 10%.
set -u
DISHRACK=${DISHRACK:-src/dishrack}
SECONDS_CPU=${SECONDS_CPU:-20}
DISHES=${DISHES:-8000000}
TMP=$(mktemp -d)
T="tmux -S $TMP/sock"
trap '$T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
hz=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

$T -f /dev/null new-session -d -s b -x 120 -y 40 \
    "$DISHRACK --set dryer.count=16 --set scenario.dishes=100000 seed-threads"
sleep 1
pid=$(pgrep -f "^$DISHRACK --set dryer.count=16" | head -1)
t0=$(cpu_ticks "$pid"); sleep "$SECONDS_CPU"; t1=$(cpu_ticks "$pid")
$T kill-server
cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECONDS_CPU" \
    'BEGIN { printf "%.1f", (b - a) / hz / s * 100 }')
echo "screen, seed-threads, 16 dryers, speed 1: ${cpu}% of one core over ${SECONDS_CPU}s"

zero="--set scenario.dishes=$DISHES --set washer.time=0 --set dryer.time=0 --set dryer.say= --set washer.say="

# rate_headless / rate_screen: dishes per second of one run, timed outside.
rate_headless() {
	start=$(date +%s.%N)
	# shellcheck disable=SC2086
	"$DISHRACK" --headless -q $zero seed-threads >/dev/null
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" -v n="$DISHES" 'BEGIN { printf "%.0f", n / (b - a) }'
}
rate_screen() {
	rm -f "$TMP/done"
	start=$(date +%s.%N)
	$T -f /dev/null new-session -d -s "z$1" -x 120 -y 40 \
	    "$DISHRACK --exit-when-done $zero seed-threads; touch $TMP/done"
	while [ ! -f "$TMP/done" ]; do sleep 0.02; done
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" -v n="$DISHES" 'BEGIN { printf "%.0f", n / (b - a) }'
}

# Alternate the two, three times each, and keep the median ratio: one run
# of either is at the mercy of whatever else the two cores are doing.
ratios=""
for i in 1 2 3; do
	h=$(rate_headless)
	s=$(rate_screen "$i")
	r=$(awk -v a="$s" -v b="$h" 'BEGIN { printf "%.2f", a / b }')
	echo "zero work, $DISHES dishes, run $i: headless $h/s, screen $s/s, ratio $r"
	ratios="$ratios $r"
done
median=$(echo $ratios | tr ' ' '\n' | sort -n | sed -n 2p)
echo "screen/headless throughput, median of 3: $median"
echo "targets: screen CPU near idle when waiting; throughput ratio at least 0.90"
