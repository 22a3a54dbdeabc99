#!/bin/sh
# bench_tui.sh: what the screen costs. Figures, never a verdict.
#  1. CPU use of the dishrack process over 20 s of seed-threads at speed 1
#     with 16 dryers, on the screen (tmux), read from /proc/PID/stat.
#  2. Dishes per second of a zero-work run on the screen against --headless
#     (each run's own throughput figure, from its summary),
#     in the same run of this script. Target: the screen costs < 10%.
set -u
DISHRACK=${DISHRACK:-src/dishrack}
SECONDS_CPU=${SECONDS_CPU:-20}
DISHES=${DISHES:-10000000}
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

# Each run's own figure: the throughput line of its summary (dishes over
# the run's wall time, from the first dish to the last), so neither side
# counts the start-up of a process, of tmux or of the terminal.
rate_headless() {
	# shellcheck disable=SC2086
	"$DISHRACK" --headless -q $zero seed-threads |
	    awk '$1 == "throughput" { printf "%.0f", $2; exit }'
}
rate_screen() {
	$T -f /dev/null new-session -d -s "z$1" -x 120 -y 40 \
	    "$DISHRACK $zero seed-threads"
	i=0
	while ! $T capture-pane -p -t "z$1" 2>/dev/null | grep -q ' throughput '; do
		sleep 0.1
		i=$((i + 1))
		[ $i -lt 600 ] || { echo 0; return; }
	done
	$T capture-pane -p -t "z$1" |
	    awk '{ for (i = 1; i < NF; i++) if ($i == "throughput") {
		printf "%.0f", $(i + 1); exit } }'
	$T kill-session -t "z$1"
}

# Alternate the two and keep the median ratio: one run of either is at
# the mercy of whatever else the two cores are doing.
RUNS=${RUNS:-11}
ratios=""
i=1
while [ $i -le "$RUNS" ]; do
	h=$(rate_headless)
	s=$(rate_screen "$i")
	r=$(awk -v a="$s" -v b="$h" 'BEGIN { printf "%.2f", a / b }')
	echo "zero work, $DISHES dishes, run $i: headless $h/s, screen $s/s, ratio $r"
	ratios="$ratios $r"
	i=$((i + 1))
done
median=$(echo $ratios | tr ' ' '\n' | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
echo "screen/headless throughput, median of $RUNS: $median"
echo "targets: screen CPU near idle when waiting; throughput ratio at least 0.90"
