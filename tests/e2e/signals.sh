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

expect_clean "after signals"
finish
