#!/bin/sh
# run-all.sh: the whole test suite, as CI runs it.
#   1. gcc, -Werror: make check (unit tests and end-to-end runs)
#   2. clang, ASan+UBSan: make check
#   3. ThreadSanitizer: the thread tests (TSan cannot follow fork)
#   4. libFuzzer for $FUZZ_SECONDS (60) in all: the scenario parser, --set
#      and --matrix (make fuzz), after the kept corpus of each
#   5. valgrind: no leaks in headless runs
# Builds go to build-*/ beside the sources; prints each suite's closing
# line and a total.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
status=0
started=$(date +%s)	# sh has no $SECONDS
[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; exit 1; }

# build DIR CONFIGURE-ARGS...: configure and build out of tree.
build() {
	dir=$1; shift
	mkdir -p "$dir"
	(cd "$dir" && { [ -f Makefile ] || "$top/configure" -q "$@"; } &&
	    make -s -j"$jobs") >"$dir.build.log" 2>&1 || {
		echo "build in $dir failed:"; tail -30 "$dir.build.log"; return 1; }
}

# slowest DIR: the suites that took longest, from when each log was last
# written (they run one at a time), so that the 20 minutes are spent
# knowingly.
slowest() {
	# shellcheck disable=SC2012
	ls -tr --time-style=+%s -l "$1"/tests/*.log "$1"/tests/e2e/*.log \
	    2>/dev/null | awk -v t0="$phase_start" '
	    { t = $6; n = $7; sub(".*/tests/", "", n); sub(".log$", "", n)
	      d[n] = t - (p == "" ? t0 : p); p = t }
	    END { for (n in d) print d[n], n }' | sort -rn | head -6 |
	    awk '{ printf "%s %s %d s", (NR == 1 ? "slowest:" : ","), $2, $1 }
	    END { if (NR) print "" }'
}

# check DIR LABEL [TESTS]: make check there (only TESTS, if given), then
# show every suite's result.
check() {
	dir=$1; label=$2; only=${3:-}
	echo "== $label"
	phase_start=$(date +%s)
	# Tests one at a time: several measure real time on two cores.
	if [ -n "$only" ]; then
		(cd "$dir" && make -s -j"$jobs" check TESTS= >/dev/null 2>&1 &&
		    make -s -j1 check TESTS="$only" >check.out 2>&1)
	else
		(cd "$dir" && make -s -j"$jobs" check TESTS= >/dev/null 2>&1 &&
		    make -s -j1 check >check.out 2>&1)
	fi
	rc=$?
	grep -h -E '^(PASS|FAIL|ERROR|XFAIL|SKIP):' "$dir/check.out"
	slowest "$dir"
	for log in "$dir"/tests/*.log "$dir"/tests/e2e/*.log; do
		[ -f "$log" ] || continue
		grep -h -E '^[0-9]+%: Checks: |^[a-z-]+: [0-9]+ passed, [0-9]+ failed|^FAIL|Assertion|ERROR' "$log"
	done
	echo "$label: $(($(date +%s) - phase_start)) s, $((($(date +%s) - started) / 60)) min since the start"
	[ $rc -eq 0 ] || { echo "$label: make check failed"; status=1; }
}

build build-gcc CC=gcc --enable-werror && check build-gcc "gcc -Werror" || status=1
# Under ASan+UBSan: every unit test, and the end-to-end suites whose code
# the sanitizer sees differently (the parser and the command line, the
# screen, the recordings, the broadcast, the theory). The real-clock suites
# of forked workers, servers and kills (processes, redis, zmq, agents,
# robustness, web, kill, netns) ran in the gcc build; under the sanitizer
# they cost minutes of waiting and see no other code (CI has 20 minutes;
# processes.sh alone took 27 s under ASan, and fork under ASan is what
# lib.sh warns of). check_processes still runs under it.
asan_tests() {
	for f in "$top"/tests/check_*.c; do
		t=tests/$(basename "$f" .c)
		[ -x "build-asan/$t" ] && printf '%s ' "$t"
	done
	for t in cli bad-input headless signals tui matrix theory \
	    pubsub record fuzz-corpus i18n; do
		printf 'tests/e2e/%s.sh ' "$t"
	done
}
if build build-asan CC=clang --enable-werror --enable-sanitizers; then
	(cd build-asan && make -s -j"$jobs" check TESTS= >/dev/null 2>&1)
	check build-asan "clang ASan+UBSan" "$(asan_tests)" || status=1
else
	status=1
fi
build build-tsan CC=clang --enable-tsan && check build-tsan "ThreadSanitizer" || status=1

# About FUZZ_SECONDS in all: two thirds for the scenario parser, the rest
# shared by --set, --matrix and the HTTP parser (40 s, 10 s, 10 s and
# 10 s by default).
fuzz_scn=$((FUZZ_SECONDS * 2 / 3))
fuzz_rest=$(((FUZZ_SECONDS - fuzz_scn) / 2))
echo "== libFuzzer: scenario ${fuzz_scn}s, set, matrix and http ${fuzz_rest}s each"
phase_start=$(date +%s)
if build build-fuzz CC=clang --enable-werror --enable-fuzzing; then
	for t in scenario set matrix http; do
		secs=$fuzz_rest; [ $t = scenario ] && secs=$fuzz_scn
		if (cd build-fuzz && make -s fuzz FUZZ_TARGETS=$t \
		    FUZZ_SECONDS="$secs") >build-fuzz/fuzz-$t.log 2>&1; then
			echo "fuzz $t: 1 passed, 0 failed ($(grep -o 'Done [0-9]* runs' build-fuzz/fuzz-$t.log))"
		else
			echo "fuzz $t: 0 passed, 1 failed"; tail -30 build-fuzz/fuzz-$t.log; status=1
		fi
	done
else
	status=1
fi

echo "libFuzzer: $(($(date +%s) - phase_start)) s with its build"
echo "== valgrind, headless runs"
phase_start=$(date +%s)
vg_pass=0; vg_fail=0
for args in "--clock virtual seed-threads" "--speed 20 seed-threads" \
    "--speed 20 seed-processes" "--clock virtual bottleneck" \
    "--speed 20 async" "--speed 20 redis-queue" "--speed 4 zmq-pipeline" \
    "--set server.model=async --set visitors.pages=20 --set visitors.upload_time=1s webserver" \
    "--set server.model=threads:4 --set visitors.pages=20 --set visitors.upload_time=1s webserver" \
    "--clock virtual pubsub" "--speed 20 --set scenario.transport=redis pubsub" \
    "--speed 20 --set scenario.transport=zmq pubsub"; do
	# shellcheck disable=SC2086
	if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    --error-exitcode=99 --trace-children=yes \
	    --trace-children-skip='*redis-server*' \
	    build-gcc/src/dishrack --headless -q $args >/dev/null 2>build-gcc/vg.log; then
		vg_pass=$((vg_pass + 1))
	else
		vg_fail=$((vg_fail + 1)); echo "valgrind: $args"; cat build-gcc/vg.log
	fi
done
echo "valgrind: $vg_pass passed, $vg_fail failed"
echo "valgrind: $(($(date +%s) - phase_start)) s, $((($(date +%s) - started) / 60)) min since the start"
[ $vg_fail -eq 0 ] || status=1

[ $status -eq 0 ] && echo "run-all: all suites passed" || echo "run-all: FAILED"
exit $status
