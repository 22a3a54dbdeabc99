#!/bin/sh
# headless.sh: the headless runs of the shipped scenarios, on the virtual
# clock (exact) and the real one (fast-forwarded).
. "$(dirname "$0")/lib.sh"

for f in "$SCENARIOS"/*.scn; do
	n=$(basename "$f" .scn)
	case $n in webserver*)
		# Real sockets, real time: no virtual clock, and no dishes to
		# conserve but visits to answer (web.sh has the rest).
		expect_exit 2 "virtual $n" -- "$DISHRACK" --headless --clock virtual "$f"
		expect_grep "$TMP/err" "a web server runs on the real clock" "virtual $n: refused, saying why"
		# Under ASan web.sh runs the server: its seconds here add nothing.
		[ "${SANITIZED:-none}" = none ] || continue
		expect_exit 0 "real $n" -- "$DISHRACK" --headless -q "$f"
		expect_grep "$TMP/out" "^visits .* pages answered" "real $n: the visits answered"
		continue ;;
	esac
	want=0
	[ "$n" = deadlock ] && want=1	# it is meant to: the run fails
	expect_exit $want "virtual $n" -- "$DISHRACK" --headless --clock virtual "$f"
	expect_grep "$TMP/out" ": conserved" "virtual $n conserved"
	extra=
	# Forked workers that allocate (hiredis, libzmq) are threads under
	# ASan: lib.sh says why.
	case $n in redis-queue|zmq-*)
		[ "$REDIS_FORKS" = no ] && extra="--set scenario.mode=threads" ;;
	# A day of arrivals is 29 s at speed 50: a tenth of it says as much.
	queueing) extra="--set scenario.duration=144s" ;;
	esac
	# shellcheck disable=SC2086
	expect_exit $want "real $n" -- "$DISHRACK" --headless -q --speed 50 $extra "$f"
	expect_grep "$TMP/out" ": conserved" "real $n conserved"
done

# The ghost house: without a lock updates are lost, with one none are.
# The scene is paced for a lecture (12 dishes, 12 s): here 40 dishes fast,
# so that a run without a lost update is all but impossible.
expect_exit 0 "race" -- "$DISHRACK" --headless -q --speed 20 \
    --set scenario.dishes=40 race
expect_grep "$TMP/out" "cupboard    lock none: 40 dried" "race summary"
if grep -q " 0 updates LOST" "$TMP/out"; then
	bad "race lost no update (it should, most runs)"; else ok; fi
expect_exit 0 "race with a mutex" -- "$DISHRACK" --headless --json \
    --speed 20 --set cupboard.lock=mutex race
expect_grep "$TMP/out" '"lock":{"mode":"mutex","counted":12,"lost_updates":0' "mutex loses none"

# Deadlock: found, shown, exit 1; a fixed order runs through.
expect_exit 1 "deadlock" -- "$DISHRACK" --headless --json deadlock
expect_grep "$TMP/out" '"deadlock":true' "JSON deadlock"
expect_grep "$TMP/out" '"cycle":"dryer-1 waits for the cloth, held by dryer-2; dryer-2 waits for the towel, held by dryer-1"' "JSON cycle"
expect_exit 1 "deadlock, processes" -- "$DISHRACK" --headless -q \
    --set scenario.mode=processes deadlock
expect_grep "$TMP/out" "^DEADLOCK    dryer-" "processes deadlock shown"
expect_exit 0 "fixed lock order" -- "$DISHRACK" --headless -q --speed 5 \
    --set scenario.lock_order=fixed deadlock
expect_grep "$TMP/out" "6 dried" "fixed order dries everything"
# The summary words a station's dishes its own way: a line of one teller
# has no washer and no dryer.
expect_exit 0 "one station" -- "$DISHRACK" --headless -q --clock virtual queueing
expect_grep "$TMP/out" "^dishes      259 done by teller, 0 in racks" "one station's words"

# The lecture's threads example, in virtual time, word for word.
expect_exit 0 "lecture threads" -- "$DISHRACK" --headless --clock virtual seed-threads
sed '/^== /,$d' "$TMP/out" | sed '$d' >"$TMP/words"
if cmp -s "$TMP/words" "$(dirname "$0")/lecture-threads.txt"; then ok; else
	bad "virtual seed-threads differs from the lecture"
	diff "$(dirname "$0")/lecture-threads.txt" "$TMP/words" | head >&2
fi
expect_grep "$TMP/out" "12.000 s scenario" "12 s in virtual time"
expect_grep "$TMP/out" "dryer .*<- bottleneck" "dryer named bottleneck"

# asyncio: the seed's story as coroutines. Waits overlap (12 s, as with
# threads), lines never mix, and CPU-bound dryers hold the loop (18 s).
expect_exit 0 "async, virtual" -- "$DISHRACK" --headless --clock virtual async
expect_grep "$TMP/out" "12.000 s scenario" "async: waits overlap, 12 s"
expect_grep "$TMP/out" "^mode async, virtual clock" "async: the mode in the summary"
expect_no_grep "$TMP/out" "WashingDrying" "async: no mixed line"
expect_exit 0 "async, CPU-bound" -- "$DISHRACK" --headless --clock virtual \
    --set dryer.work=cpu async
expect_grep "$TMP/out" "18.000 s scenario" "async: computing holds the loop, 18 s"
expect_exit 0 "async, real" -- "$DISHRACK" --headless --speed 20 --json async
expect_grep "$TMP/out" '"mode":"async"' "async, real: JSON mode"
expect_grep "$TMP/out" '"dishes_dried":4' "async, real: all dried"
expect_exit 0 "async matrix" -- "$DISHRACK" --headless --clock virtual \
    --matrix 'mode=threads,async dryer.work=io,cpu' async
expect_grep "$TMP/out" "^async *cpu *18.000" "async matrix: the CPU row"

# The lecture's processes example: the same lines in the same order.
expect_exit 0 "lecture processes" -- "$DISHRACK" --headless --clock virtual seed-processes
sed '/^== /,$d' "$TMP/out" | sed '$d' >"$TMP/words"
if cmp -s "$TMP/words" "$(dirname "$0")/lecture-processes.txt"; then ok; else
	bad "virtual seed-processes differs from the lecture"
	diff "$(dirname "$0")/lecture-processes.txt" "$TMP/words" | head >&2
fi

# The lecture's Redis example: on the virtual clock, word for word.
expect_exit 0 "lecture redis" -- "$DISHRACK" --headless --clock virtual redis-queue
sed '/^== /,$d' "$TMP/out" | sed '$d' >"$TMP/words"
if cmp -s "$TMP/words" "$(dirname "$0")/lecture-redis.txt"; then ok; else
	bad "virtual redis-queue differs from the lecture"
	diff "$(dirname "$0")/lecture-redis.txt" "$TMP/words" | head >&2
fi

# Same seed, same run; the real clock and -q.
# (all but the wall time, which is the machine's)
"$DISHRACK" --headless --clock virtual --seed 5 seed-threads | grep -v wall >"$TMP/a"
"$DISHRACK" --headless --clock virtual --seed 5 seed-threads | grep -v wall >"$TMP/b"
if cmp -s "$TMP/a" "$TMP/b"; then ok; else bad "same seed, different run"; fi
expect_exit 0 "quiet" -- "$DISHRACK" --headless -q --speed 40 seed-threads
expect_no_grep "$TMP/out" "Washing" "-q hides worker output"
expect_grep "$TMP/out" "4 dried" "-q keeps the summary"

# The title defaults to the file's name, which may hold escape sequences:
# the summary shows them as \x1b, and JSON escapes them.
evil="x$(printf '\033]52;c;aGk=\007\033]2;pwned\007')"
printf '[washer]\ntime = 0\n' >"$TMP/$evil.scn"
expect_exit 0 "a hostile title" -- "$DISHRACK" --headless --clock virtual "$TMP/$evil.scn"
expect_grep "$TMP/out" '^== x\\x1b]52;c;aGk=\\x07\\x1b]2;pwned\\x07 ==$' \
    "a hostile title, shown"
expect_printable "$TMP/out" "a hostile title"
expect_exit 0 "a hostile title, JSON" -- "$DISHRACK" --headless --json \
    --clock virtual "$TMP/$evil.scn"
expect_grep "$TMP/out" '"title":"x\\u001b]52;c;aGk=\\u0007\\u001b]2;pwned\\u0007"' \
    "a hostile title, JSON"
expect_printable "$TMP/out" "a hostile title, JSON"
if command -v python3 >/dev/null 2>&1; then
	if python3 -m json.tool "$TMP/out" >/dev/null; then ok; else
		bad "JSON with a hostile title does not parse"; fi
fi
# The engine's error names the file too, in the summary and on stderr.
printf '[washer]\ntime = 2s\n[dryer]\ntime = 0\n[script]\n1s set dryer.count = 9000\n' \
    >"$TMP/$evil.scn"
expect_exit 1 "a hostile file name in a run's error" -- "$DISHRACK" --headless -q \
    --clock virtual --force "$TMP/$evil.scn"
expect_grep "$TMP/out" '^error: .*x\\x1b]52;c;aGk=\\x07\\x1b]2;pwned\\x07.scn:6:1: set dryer.count=9000: no room' \
    "a run's error in the summary, shown"
expect_printable "$TMP/out" "a run's error in the summary"
expect_printable "$TMP/err" "a run's error on stderr"
# A file name that is not UTF-8: shown as \xff, valid JSON.
printf '[washer]\ntime = 0\n' >"$TMP/$(printf 'ab\377').scn"
expect_exit 0 "a title not UTF-8" -- "$DISHRACK" --headless -q --clock virtual \
    "$TMP/$(printf 'ab\377').scn"
expect_grep "$TMP/out" '^== ab\\xff ==$' "a title not UTF-8, shown"
expect_exit 0 "a title not UTF-8, JSON" -- "$DISHRACK" --headless --json \
    --clock virtual "$TMP/$(printf 'ab\377').scn"
expect_printable "$TMP/out" "a title not UTF-8, JSON"
# A --set title can no more drive the terminal than a file's.
expect_exit 2 "a hostile --set title" -- "$DISHRACK" --headless -q --clock virtual \
    --set "scenario.title=$evil"
expect_no_grep "$TMP/out" "==" "a hostile --set title: no run"

# A run that writes into a closed pipe neither hangs nor crashes.
"$DISHRACK" --headless --speed 40 seed-threads | head -c 1 >/dev/null
ok

expect_clean "after headless runs"
# GIL figures are scenario time: --speed changes how long the run takes,
# not how long a thread waited in the scenario's own seconds.
gw() { python3 -c 'import json,sys; print(json.load(sys.stdin)["gil"]["wait_seconds"])'; }
w1=$("$DISHRACK" --headless -q --json --speed 1 gil-cpu | gw)
w4=$("$DISHRACK" --headless -q --json --speed 4 gil-cpu | gw)
if python3 -c "import sys; a,b=float('$w1'),float('$w4'); sys.exit(0 if b > 0 and 0.6 < a/b < 1.6 else 1)"; then ok
else bad "GIL waits at --speed 1 and 4 should be alike in scenario time: $w1 and $w4"; fi

finish
