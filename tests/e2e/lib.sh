# lib.sh: helpers for the end-to-end tests, sourced by each of them.
# They run the real binary ($DISHRACK) and count their own checks.

: "${DISHRACK:?set DISHRACK to the binary}"
: "${SCENARIOS:?set SCENARIOS to the scenarios directory}"
# The tests read English: a Korean desktop's LANGUAGE or LC_ALL must not
# translate what they grep for (i18n.sh asks for Korean itself).
unset LANGUAGE LC_MESSAGES
if [ -n "${LC_ALL:-}" ]; then
	LC_CTYPE=$LC_ALL; export LC_CTYPE; unset LC_ALL
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dishrack-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

# Worker processes that use Redis or ZeroMQ allocate after a threaded fork, which
# glibc's malloc allows and ASan's allocator does not (a child can
# deadlock in it): under ASan, Redis runs use threads, and the tests that
# must kill worker processes over Redis run only in the other builds.
REDIS_FORKS=yes
[ "${SANITIZED:-none}" = asan ] && REDIS_FORKS=no

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# expect_exit CODE DESCRIPTION -- COMMAND...: run it, keep out/err.
expect_exit() {
	want=$1; what=$2; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else
		bad "$what: exit $got, wanted $want"
		sed 's/^/  stderr: /' "$TMP/err" | head -5 >&2
	fi
}

# expect_grep FILE PATTERN DESCRIPTION
expect_grep() {
	if grep -q -- "$2" "$1"; then ok; else
		bad "$3: no '$2' in $(basename "$1")"
		sed 's/^/  | /' "$1" | head -10 >&2
	fi
}

expect_no_grep() {
	if grep -q -- "$2" "$1"; then bad "$3: found '$2'"; else ok; fi
}

# expect_printable FILE DESCRIPTION: only printable ASCII and newlines, so
# nothing in it can drive a terminal (what was quoted is escaped as \xHH).
expect_printable() {
	n=$(LC_ALL=C tr -d '\n\040-\176' <"$1" | wc -c)
	if [ "$n" -eq 0 ]; then ok; else
		bad "$2: $n control or non-ASCII bytes in $(basename "$1")"
		od -c "$1" | head -5 >&2
	fi
}

# expect_lines FILE N DESCRIPTION
expect_lines() {
	n=$(wc -l <"$1")
	if [ "$n" -eq "$2" ]; then ok; else bad "$3: $n lines, wanted $2"; fi
}

# No dishrack shared memory and no stray dishrack processes.
expect_clean() {
	if ls /dev/shm 2>/dev/null | grep -qi dishrack; then
		bad "$1: shared memory left in /dev/shm"
	else ok; fi
}

# Print the closing line the CI reads, and exit with the verdict.
finish() {
	printf '%s: %d passed, %d failed\n' "$(basename "$0" .sh)" "$pass" "$fail"
	[ "$fail" -eq 0 ]
}
