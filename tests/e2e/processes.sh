#!/bin/sh
# processes.sh: forked workers, for real, and what they leave behind.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "seed-processes" -- "$DISHRACK" --headless --speed 20 seed-processes
expect_grep "$TMP/out" "^Washing salad dish$" "washer output"
expect_grep "$TMP/out" "^Drying dessert dish$" "dryer output"
expect_grep "$TMP/out" "mode processes" "mode named"
expect_grep "$TMP/out" "4 dried" "all dried"

# A title of our own, so the check below sees only this test's processes.
mark="processes-e2e-$$"
expect_exit 0 "many processes" -- "$DISHRACK" --headless -q --set dryer.count=8 \
    --set scenario.dishes=2000 --set washer.time=0 --set dryer.time=0 \
    --set "scenario.title=$mark" seed-processes
expect_grep "$TMP/out" "2000 dried" "2000 dishes through 8 processes"

sleep 0.2
if pgrep -f "$mark" >/dev/null; then
	bad "worker processes left running"
else ok; fi
expect_clean "after process runs"
finish
