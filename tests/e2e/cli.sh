#!/bin/sh
# cli.sh: the command-line contract: help, version, list, check, JSON.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "--help" -- "$DISHRACK" --help
for opt in --headless --json --quiet --set --speed --clock --seed --check \
    --list --exit-when-done --force --help --version; do
	expect_grep "$TMP/out" "$opt" "--help names $opt"
done
expect_exit 0 "--version" -- "$DISHRACK" --version
expect_grep "$TMP/out" "^dishrack [0-9]" "--version"

expect_exit 0 "--list" -- "$DISHRACK" --list
for s in seed-threads seed-processes bottleneck handoff; do
	expect_grep "$TMP/out" "^$s " "--list shows $s"
done

for f in "$SCENARIOS"/*.scn; do
	expect_exit 0 "--check $(basename "$f")" -- "$DISHRACK" --check "$f"
	if [ -s "$TMP/out" ] || [ -s "$TMP/err" ]; then
		bad "--check $(basename "$f") printed something"
	else ok; fi
done
expect_exit 0 "--check a built-in by name" -- "$DISHRACK" --check seed-threads

expect_exit 2 "unknown option" -- "$DISHRACK" --bogus
expect_grep "$TMP/err" "dishrack" "unknown option message"
expect_exit 2 "two scenarios" -- "$DISHRACK" --headless a.scn b.scn
expect_exit 2 "--speed 0" -- "$DISHRACK" --headless --speed 0
expect_grep "$TMP/err" "^dishrack: --speed: expected" "--speed message"
# Plain decimal numbers only: strtod and atoi took these without a word.
for v in 0x10 1e1 inf nan " 2" +2 -1 1000.5; do
	expect_exit 2 "--speed '$v'" -- "$DISHRACK" --check --speed "$v"
	expect_grep "$TMP/err" "^dishrack: --speed: expected a decimal factor from 0.01 to 1000, found '$v'" \
	    "--speed '$v' message"
done
for v in 0.25 .5 10 1000; do
	expect_exit 0 "--speed $v" -- "$DISHRACK" --check --speed "$v"
done
for v in -1 0 abc '2^64' 18446744073709551616 2147483648 " 5" +5; do
	expect_exit 2 "--max-frames '$v'" -- "$DISHRACK" --check --max-frames "$v"
	expect_grep "$TMP/err" "^dishrack: --max-frames: expected a whole number from 1 to 2147483647, found '$v'" \
	    "--max-frames '$v' message"
done
expect_exit 0 "--max-frames 1" -- "$DISHRACK" --check --max-frames 1
expect_exit 2 "--seed ' 5'" -- "$DISHRACK" --check --seed " 5"
expect_exit 2 "--seed +5" -- "$DISHRACK" --check --seed +5
expect_exit 0 "--seed 2^64-1" -- "$DISHRACK" --check --seed 18446744073709551615
expect_exit 2 "--seed 2^64" -- "$DISHRACK" --check --seed 18446744073709551616
expect_exit 2 "--clock bogus" -- "$DISHRACK" --headless --clock sundial
expect_exit 2 "--json without --headless" -- "$DISHRACK" --json

# The JSON summary has the contract's fields.
expect_exit 0 "--json" -- "$DISHRACK" --headless --json --clock virtual
for k in scenario mode wall_seconds dishes_washed dishes_dried lost \
    duplicated conserved throughput_per_s bottleneck max_rack_depth \
    stations name count busy_fraction dishes; do
	expect_grep "$TMP/out" "\"$k\":" "JSON has $k"
done
expect_grep "$TMP/out" '"scenario_seconds":12.000000' "JSON virtual time"
expect_grep "$TMP/out" '"conserved":true' "JSON conserved"
expect_grep "$TMP/out" '"bottleneck":"dryer"' "JSON bottleneck"
expect_lines "$TMP/out" 1 "JSON is one line"
if command -v python3 >/dev/null 2>&1; then
	if python3 -m json.tool "$TMP/out" >/dev/null; then ok; else
		bad "JSON does not parse"; fi
fi

# The man pages render without a warning (dishrack(1) once ended an
# example in '.RE.PP', a macro groff does not know).
if command -v groff >/dev/null 2>&1; then
	for page in "$SCENARIOS"/../man/*.[15]; do
		if groff -man -ww -z -Tutf8 "$page" >"$TMP/groff" 2>&1 &&
		    [ ! -s "$TMP/groff" ]; then ok; else
			bad "$(basename "$page"): $(head -1 "$TMP/groff")"; fi
	done
else
	bad "groff not installed (build-aux/install-deps.sh installs it)"
fi

# --set reaches the run; --seed is accepted.
expect_exit 0 "--set" -- "$DISHRACK" --headless --json --clock virtual \
    --set dryer.count=4 --seed 7
expect_grep "$TMP/out" '"name":"dryer","count":4' "--set dryer.count"
expect_exit 0 "--set dishes" -- "$DISHRACK" --headless -q --clock virtual \
    --set scenario.dishes=1000 --set washer.time=0 --set dryer.time=0
expect_grep "$TMP/out" "1000 dried" "--set scenario.dishes"

# A newcomer's slips get the fix in the message.
expect_exit 2 "--set with a blank" -- "$DISHRACK" --headless -q --set dryer.count 3 seed-threads
expect_grep "$TMP/err" "did you mean --set dryer.count=3?" "--set with a blank: the fix"
expect_exit 2 "a built-in misspelt" -- "$DISHRACK" --headless -q seed_threads
expect_grep "$TMP/err" "seed_threads: no such file or built-in scenario, did you mean seed-threads?" "a built-in misspelt: the one meant"
printf '[Washer]\n[dryer]\n' >"$TMP/caps.scn"
expect_exit 2 "a section in capitals" -- "$DISHRACK" --check "$TMP/caps.scn"
expect_grep "$TMP/err" "caps.scn:1:2: a station's name is in lowercase: found \[Washer\], did you mean \[washer\]?" "a section in capitals: the one meant"
printf '[washer]\ntime = 1h\n[dryer]\n' >"$TMP/hour.scn"
expect_exit 0 "an hour is a duration" -- "$DISHRACK" --check "$TMP/hour.scn"
printf '[washer]\ntime = 25h\n[dryer]\n' >"$TMP/day.scn"
expect_exit 2 "more than a day is not" -- "$DISHRACK" --check "$TMP/day.scn"

finish
