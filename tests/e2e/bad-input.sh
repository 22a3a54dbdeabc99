#!/bin/sh
# bad-input.sh: every kind of bad input gets exit 2 and one clear line
# naming FILE:LINE:COL, and nothing on stdout.
. "$(dirname "$0")/lib.sh"

# bad NAME CONTENT PATTERN: a file with CONTENT must fail with PATTERN.
bad_file() {
	name=$1; content=$2; pattern=$3
	printf '%b' "$content" >"$TMP/$name.scn"
	expect_exit 2 "$name" -- "$DISHRACK" --check "$TMP/$name.scn"
	expect_grep "$TMP/err" "$pattern" "$name message"
	expect_lines "$TMP/err" 1 "$name: one line"
	if [ -s "$TMP/out" ]; then bad "$name: stdout not empty"; else ok; fi
}

good='[scenario]\ndishes = 2\n[washer]\ntime = 1s\n[dryer]\ntime = 2s\n'

expect_exit 2 "missing file" -- "$DISHRACK" --check "$TMP/nothere.scn"
expect_grep "$TMP/err" "^dishrack: $TMP/nothere.scn: " "missing file"
expect_exit 2 "missing name" -- "$DISHRACK" --check nothere
expect_grep "$TMP/err" "no such file or built-in" "missing name"
mkdir "$TMP/adir.scn"
expect_exit 2 "directory" -- "$DISHRACK" --check "$TMP/adir.scn"
expect_grep "$TMP/err" "directory" "directory message"

# A FIFO blocked for ever in open(); a device is no scenario either.
mkfifo "$TMP/fifo.scn"
expect_exit 2 "a FIFO" -- timeout 10 "$DISHRACK" --check "$TMP/fifo.scn"
expect_grep "$TMP/err" "^dishrack: $TMP/fifo.scn: a FIFO: expected a regular file" "a FIFO message"
expect_exit 2 "a device" -- "$DISHRACK" --check /dev/null
expect_grep "$TMP/err" "^dishrack: /dev/null: a character device: expected a regular file" \
    "a device message"

bad_file empty '' "empty.scn:1:1: .*no stations"
bad_file garbage '\0001\0002\0377\0376binary' "garbage.scn:1:[0-9]*: not a text file"
bad_file section "$good[scenaro]\ntitle = x\n" \
    "section.scn:7:1: .*did you mean \[scenario\]"
bad_file key '[scenario]\ndishes = 2\n[dryer]\ncont = 2\n' \
    "key.scn:4:1: unknown key 'cont' in \[dryer\], did you mean 'count'"
bad_file dur2x '[washer]\ntime = 2x\n' "dur2x.scn:2:8: "
bad_file durneg '[washer]\ntime = -1s\n' "durneg.scn:2:8: "
bad_file durrange '[washer]\ntime = 1s..0s\n' "durrange.scn:2:8: "
bad_file countneg '[washer]\ncount = -1\n' "countneg.scn:2:9: "
bad_file countnan '[washer]\ncount = many\n' "countnan.scn:2:9: "
bad_file dup '[washer]\ncount = 1\ncount = 2\n' "dup.scn:3:1: .*line 2"
bad_file script "$good[script]\nx5 say hello\n" \
    "script.scn:8:1: .*duration"
bad_file threads '[washer]\ncount = 5000\n' "threads.scn:2:9: .*--force"
bad_file tasks '[scenario]\nmode = async\n[washer]\ncount = 5000\n' \
    "tasks.scn:4:9: washer.count = 5000 is more than 4096 async tasks; pass --force"
bad_file procs '[scenario]\nmode = processes\n[washer]\n[dryer]\ncount = 300\n' \
    "procs.scn:5:9: 300 forked processes in all is more than 256; pass --force"
# The washer runs in the main process: 256 dryers are the limit, not 255.
printf '[scenario]\nmode = processes\n[washer]\n[dryer]\ncount = 256\n' >"$TMP/procs256.scn"
expect_exit 0 "256 forked processes" -- "$DISHRACK" --check "$TMP/procs256.scn"
expect_exit 2 "257 forked processes" -- "$DISHRACK" --check --set dryer.count=257 \
    "$TMP/procs256.scn"
expect_grep "$TMP/err" "^dishrack: --set: 257 forked processes in all" "257 forked processes"

# Nine named locks: --check refuses what the run would (it crashed).
bad_file locks '[washer]\nneeds = a b c\n[dryer]\nneeds = d e f\n[stacker]\nneeds = g h i\n' \
    "locks.scn:6:9: stacker needs 'i', a lock beyond the 8"
expect_exit 2 "nine locks, run" -- "$DISHRACK" --headless "$TMP/locks.scn"

# A [script] count is checked by --check too, at its step.
bad_file scriptcount "$good[script]\n1s set dryer.count = 5000\n" \
    "scriptcount.scn:8:1: dryer.count = 5000 is more than 4096 threads; pass --force"
# Past the room a run has, even with --force: said, at the step, exit 1.
printf '[scenario]\ndishes = 4\n[washer]\ntime = 2s\n[dryer]\ntime = 0\n[script]\n1s set dryer.count = 9000\n' \
    >"$TMP/room.scn"
expect_exit 1 "no room for the script's workers" -- "$DISHRACK" --headless -q \
    --clock virtual --force "$TMP/room.scn"
expect_grep "$TMP/err" "^dishrack: $TMP/room.scn:8:1: set dryer.count=9000: no room for another worker" \
    "no room for the script's workers: said at the step"

# --force lifts the cap (checked only, not run).
printf '[washer]\ncount = 5000\n' >"$TMP/force.scn"
expect_exit 0 "--force" -- "$DISHRACK" --check --force "$TMP/force.scn"

# A byte-order mark and CRLF line endings are fine.
printf '\357\273\277[scenario]\r\ndishes = 2\r\n[washer]\r\ntime = 0\r\n' \
    >"$TMP/crlf.scn"
expect_exit 0 "BOM and CRLF" -- "$DISHRACK" --check "$TMP/crlf.scn"

# A lone CR would send the cursor back over the line: refused where it is.
bad_file cr '[washer]\nsay = rm -rf / \rall good\n' \
    "cr.scn:2:16: a carriage return inside a line"
bad_file crtitle '[scenario]\r\ntitle = ok\rlies\r\n[washer]\r\n' \
    "crtitle.scn:2:11: a carriage return inside a line"

# Nothing from outside drives the terminal. A file name with OSC 52 (sets
# the clipboard) and OSC 2 (the title) is quoted visibly, as \x1b, by every
# error that names the file; so is a --set value and an argument.
evil="x$(printf '\033]52;c;aGk=\007\033]2;pwned\007')"
shown='x\\x1b]52;c;aGk=\\x07\\x1b]2;pwned\\x07'
printf '[washer]\ncount = x\n' >"$TMP/$evil.scn"
expect_exit 2 "a hostile file name, a parse error" -- "$DISHRACK" --check "$TMP/$evil.scn"
expect_grep "$TMP/err" "^dishrack: $TMP/$shown.scn:2:9: expected a count" \
    "a hostile file name, shown"
expect_printable "$TMP/err" "a hostile file name, a parse error"
expect_exit 2 "a hostile file name, missing" -- "$DISHRACK" --check "$TMP/$evil-not.scn"
expect_grep "$TMP/err" "^dishrack: $TMP/$shown-not.scn: No such file" \
    "a hostile missing file, shown"
expect_printable "$TMP/err" "a hostile file name, missing"
expect_exit 2 "a hostile name, no such built-in" -- "$DISHRACK" --check "$evil"
expect_grep "$TMP/err" "^dishrack: $shown: no such file or built-in" \
    "a hostile built-in name, shown"
expect_printable "$TMP/err" "a hostile built-in name"
printf '[washer]\ncount = 2\n' >"$TMP/$evil.scn"
expect_exit 0 "a hostile file name, --check" -- "$DISHRACK" --check "$TMP/$evil.scn"
if [ -s "$TMP/out" ] || [ -s "$TMP/err" ]; then
	bad "a hostile file name, --check printed something"; else ok; fi
expect_exit 2 "a hostile --set value" -- "$DISHRACK" --check \
    --set "scenario.mode=$evil"
expect_grep "$TMP/err" "^dishrack: --set: expected text, found byte 0x1b at column 16 of 'scenario.mode=$shown'" \
    "a hostile --set value, shown"
expect_printable "$TMP/err" "a hostile --set value"
expect_exit 2 "a hostile --set key" -- "$DISHRACK" --check \
    --set "$(printf 'dryer.count\r=2')"
expect_grep "$TMP/err" "found byte 0x0d at column 12 of 'dryer.count\\\\x0d=2'" \
    "a --set with a CR, shown"
expect_exit 2 "a hostile option" -- "$DISHRACK" "--$evil"
expect_grep "$TMP/err" "^dishrack: unknown option '--$shown'" "a hostile option, shown"
expect_printable "$TMP/err" "a hostile option"

expect_exit 2 "--set unknown key" -- "$DISHRACK" --check --set dryer.cont=3
expect_grep "$TMP/err" "^dishrack: --set: .*dryer.count" "--set suggestion"
expect_exit 2 "--set bad value" -- "$DISHRACK" --check --set dryer.count=x
expect_grep "$TMP/err" "^dishrack: --set: " "--set bad value message"

# A transport this version cannot open: where it was asked for, file or --set.
printf '[scenario]\ntransport = pigeon\n[washer]\n' >"$TMP/pigeon.scn"
expect_exit 2 "an unavailable transport in a file" -- "$DISHRACK" --headless "$TMP/pigeon.scn"
expect_grep "$TMP/err" "^dishrack: $TMP/pigeon.scn:2:13: transport 'pigeon' is not available" \
    "an unavailable transport: its position"
expect_exit 2 "an unavailable transport by --set" -- "$DISHRACK" --headless \
    --set scenario.transport=pigeon seed-threads
expect_grep "$TMP/err" "^dishrack: --set: transport 'pigeon'" \
    "an unavailable transport by --set: names --set"

expect_clean "after bad input"
finish
