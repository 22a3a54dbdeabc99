#!/bin/sh
# signals.sh: SIGINT and SIGTERM stop a run cleanly: a partial summary, the
# exit status 128+N, every child reaped, nothing left in /dev/shm.
. "$(dirname "$0")/lib.sh"

# stop_run SIGNAL STATUS MODE
stop_run() {
	sig=$1; want=$2; mode=$3
	"$DISHRACK" --headless --set scenario.mode="$mode" --set dryer.count=3 \
	    seed-threads >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep 1
	kids=$(pgrep -P "$pid" | wc -l)
	kill -"$sig" "$pid"
	wait "$pid"
	got=$?
	if [ "$got" = "$want" ]; then ok; else
		bad "$mode $sig: exit $got, wanted $want"; fi
	expect_grep "$TMP/out" "interrupted" "$mode $sig: partial summary"
	expect_grep "$TMP/out" ": conserved" "$mode $sig: conserved"
	if [ "$mode" = processes ] && [ "$kids" -lt 3 ]; then
		bad "$mode: only $kids children before the signal"
	else ok; fi
	if pgrep -P "$pid" >/dev/null 2>&1 || \
	    pgrep -f "dishrack --headless --set scenario.mode=$mode" >/dev/null; then
		bad "$mode $sig: processes left behind"
	else ok; fi
}

stop_run INT 130 threads
stop_run TERM 143 threads
stop_run INT 130 processes
stop_run TERM 143 processes
stop_run HUP 129 processes

# A child that never moves again (stopped here, wedged in real life) must
# not keep a stopped run: the watchdog kills it after its grace (3 s),
# says who it was, and the run ends with exit 1 and a partial summary.
"$DISHRACK" --headless --set scenario.mode=processes --set dryer.count=2 \
    seed-threads >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1
for kid in $(pgrep -P "$pid"); do kill -STOP "$kid"; done
kill -TERM "$pid"
t=0
while kill -0 "$pid" 2>/dev/null && [ $t -lt 150 ]; do sleep 0.1; t=$((t + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	bad "watchdog: the run still waits for a stopped child after 15 s"
	pkill -KILL -P "$pid"; kill -KILL "$pid"
fi
wait "$pid"
got=$?
[ "$got" = 1 ] && ok || bad "watchdog: exit $got, wanted 1"
expect_grep "$TMP/err" "did not stop within 3 s; killed what was left: dryer-1 (" "watchdog: names the worker"
expect_grep "$TMP/out" "interrupted" "watchdog: partial summary"
pgrep -P "$pid" >/dev/null 2>&1 && bad "watchdog: children left" || ok

expect_clean "after signals"
finish
