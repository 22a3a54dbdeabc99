#!/bin/sh
# record.sh: --record and --replay (doc/recording.md). A recording replays
# to the live run's summary and JSON byte for byte, for every shipped
# scenario on the virtual clock and for real runs; one cut short by
# SIGKILL replays as far as it goes; anything else is refused in one line.
. "$(dirname "$0")/lib.sh"
# Our runs' private Redis servers keep their directories in ours, not in
# the /tmp that redis.sh, running beside us, checks is left clean.
TMPDIR=$TMP
export TMPDIR

# same WHAT FILE1 FILE2: the two are byte for byte the same.
same() {
	if cmp -s "$2" "$3"; then ok; else
		bad "$1: replay differs from the live run"
		diff "$2" "$3" | head -6 >&2
	fi
}

# Every shipped scenario, virtual clock: text (with the workers' lines)
# and JSON.
for f in "$SCENARIOS"/*.scn; do
	n=$(basename "$f" .scn)
	# A web server's run has no dishes to record (refused, saying so).
	case $n in webserver*) continue ;; esac
	want=0
	[ "$n" = deadlock ] && want=1
	expect_exit $want "record $n" -- "$DISHRACK" --headless --clock virtual \
	    --record "$TMP/$n.rec" "$f"
	cp "$TMP/out" "$TMP/live"
	expect_exit $want "replay $n" -- "$DISHRACK" --headless --replay "$TMP/$n.rec"
	same "virtual $n" "$TMP/live" "$TMP/out"
	expect_exit $want "record $n, JSON" -- "$DISHRACK" --headless --json \
	    --clock virtual --record "$TMP/$n.rec" "$f"
	cp "$TMP/out" "$TMP/live"
	expect_exit $want "replay $n, JSON" -- "$DISHRACK" --headless --json \
	    --replay "$TMP/$n.rec"
	same "virtual $n, JSON" "$TMP/live" "$TMP/out"
done

# The GIL switched on by the script in a run without one: the replay's
# summary has the GIL's figures, as the live run's.
printf '%s\n' '[scenario]' 'dishes = 8' 'cores = 4' '[washer]' 'time = 0' \
    '[dryer]' 'count = 4' 'time = 200ms' 'work = cpu' '[script]' \
    '300ms set scenario.gil = on' >"$TMP/gilon.scn"
expect_exit 0 "record gil on" -- "$DISHRACK" --headless --clock virtual \
    --record "$TMP/gilon.rec" "$TMP/gilon.scn"
cp "$TMP/out" "$TMP/live"
expect_grep "$TMP/live" "^gil  *[0-9]* hand-overs" "gil on: the live summary's GIL"
expect_exit 0 "replay gil on" -- "$DISHRACK" --headless --replay "$TMP/gilon.rec"
same "virtual gil switched on" "$TMP/live" "$TMP/out"

# Real runs: threads, processes, a lost-update race, the GIL, a --set
# and a script that changes counts on the way.
for args in "seed-threads" "seed-processes" "race" "gil-cpu" \
    "--set dryer.count=3 bottleneck" "--set scenario.mode=processes deadlock"; do
	want=0
	case $args in *deadlock) want=1 ;; esac
	# shellcheck disable=SC2086
	expect_exit $want "record real $args" -- "$DISHRACK" --headless --json \
	    --speed 40 --record "$TMP/real.rec" $args
	cp "$TMP/out" "$TMP/live"
	expect_exit $want "replay real $args" -- "$DISHRACK" --headless --json \
	    --replay "$TMP/real.rec"
	same "real $args" "$TMP/live" "$TMP/out"
done
# -q replays quiet, and the text summary of a real run is the same too.
expect_exit 0 "record real text" -- "$DISHRACK" --headless --speed 40 \
    --record "$TMP/real.rec" seed-threads
cp "$TMP/out" "$TMP/live"
expect_exit 0 "replay real text" -- "$DISHRACK" --headless --replay "$TMP/real.rec"
same "real text" "$TMP/live" "$TMP/out"
expect_grep "$TMP/out" "WashingDrying\|Washing salad" "replay prints the workers' text"
expect_exit 0 "replay -q" -- "$DISHRACK" --headless -q --replay "$TMP/real.rec"
expect_no_grep "$TMP/out" "Washing salad" "-q replays no text"
expect_grep "$TMP/out" ": conserved" "-q replays the summary"

# The header: format, version, scenario as run (after --set), seed, host.
"$DISHRACK" --headless -q --clock virtual --seed 7 --set dryer.count=3 \
    --record "$TMP/h.rec" seed-threads >/dev/null
head -1 "$TMP/h.rec" >"$TMP/head"
expect_grep "$TMP/head" '^{"dishrack_recording":1,"version":"' "header format"
expect_grep "$TMP/head" '"seed":7,' "header seed"
expect_grep "$TMP/head" '"sets":"dryer.count=3\\n"' "header sets"
expect_grep "$TMP/head" '"host":"' "header host"
expect_grep "$TMP/head" '"source":"# seed-threads.scn' "header source"
expect_exit 0 "replay with --set" -- "$DISHRACK" --headless --replay "$TMP/h.rec"
expect_grep "$TMP/out" "^dryer  *3 " "the --set is replayed"

# Cut short: SIGKILL the recorder in mid-run. What was written replays,
# with one line on stderr saying where it stops, and exit 1.
"$DISHRACK" --headless -q --set scenario.dishes=40 \
    --set washer.time=100ms --set dryer.time=150ms --record "$TMP/cut.rec" \
    seed-threads >/dev/null 2>&1 &
pid=$!
sleep 1
kill -KILL $pid
wait $pid 2>/dev/null
expect_exit 1 "replay cut short" -- "$DISHRACK" --headless --replay "$TMP/cut.rec"
expect_grep "$TMP/err" "cut short after line [0-9]*, [0-9.]* s into the run" "cut: says where"
expect_lines "$TMP/err" 1 "cut: one line"
expect_grep "$TMP/out" "mode threads, real clock, speed 1, interrupted" "cut: a summary, interrupted"
if grep -q "dishes      [1-9][0-9]* washed" "$TMP/out"; then ok; else
	bad "cut: nothing washed in what was recorded"; sed 's/^/  | /' "$TMP/out" >&2; fi
# On the screen too: its bar says so, to the end (here the screen drawn
# offscreen into a cast), and the line is said once.
expect_exit 1 "replay cut short, the screen's" -- "$DISHRACK" --headless -q \
    --replay "$TMP/cut.rec" --cast "$TMP/cut.cast"
expect_grep "$TMP/cut.cast" "REPLAY [0-9.]*/[0-9.]*s, CUT SHORT" "cut: the replay's bar says so"
expect_lines "$TMP/err" 1 "cut, the screen's: one line"
# Cut in the middle of a line: the partial line is not read.
head -c $(($(wc -c <"$TMP/h.rec") - 30)) "$TMP/h.rec" >"$TMP/half.rec"
expect_exit 1 "replay cut mid-line" -- "$DISHRACK" --headless -q --replay "$TMP/half.rec"
expect_grep "$TMP/err" "cut short" "mid-line: cut short"

# refused WHAT FILE PATTERN: exit 2, one line naming the file.
refused() {
	expect_exit 2 "$1" -- "$DISHRACK" --headless --replay "$2"
	expect_lines "$TMP/err" 1 "$1: one line"
	expect_grep "$TMP/err" "^dishrack: $2" "$1: names the file"
	expect_grep "$TMP/err" "$3" "$1: says why"
	[ -s "$TMP/out" ] && bad "$1: printed a summary"
}
: >"$TMP/empty.rec"
refused "empty" "$TMP/empty.rec" "not a dishrack recording"
refused "missing" "$TMP/none.rec" "No such file"
head -c 4096 /dev/urandom >"$TMP/noise.rec"
printf '\n' >>"$TMP/noise.rec"
refused "noise" "$TMP/noise.rec" "not a dishrack recording\|too long"
sed '1s/"dishrack_recording":1/"dishrack_recording":2/' "$TMP/h.rec" >"$TMP/v2.rec"
refused "format 2" "$TMP/v2.rec" ":1: a recording of format 2; this dishrack (.*) reads format 1"
printf '{"dishrack_recording":1}\n' >"$TMP/bare.rec"
refused "bare header" "$TMP/bare.rec" ":1: a header without"
sed '1s/\[washer\]/[washer/' "$TMP/h.rec" >"$TMP/badscn.rec"
refused "bad scenario" "$TMP/badscn.rec" ":1: the recorded scenario: builtin:seed-threads:"
{ head -1 "$TMP/h.rec"; echo 'hello'; } >"$TMP/junk.rec"
refused "junk line" "$TMP/junk.rec" ":2: not a recording's line"
{ head -1 "$TMP/h.rec"; echo '{"t":0,"worker":0,"station":0,"name":"w"}'; \
  echo '[0,0,9,"get",0,0]'; } >"$TMP/st.rec"
refused "bad station" "$TMP/st.rec" ":3: not an event"
{ head -1 "$TMP/h.rec"; echo '[0,5,0,"get",0,0]'; } >"$TMP/anon.rec"
refused "nameless worker" "$TMP/anon.rec" ":2: an event of worker 5 before its name"
{ head -1 "$TMP/h.rec"; echo '[0,-1,0,"script",-1,99]'; } >"$TMP/step.rec"
refused "bad step" "$TMP/step.rec" ":2: a script step 99"
{ head -1 "$TMP/h.rec"; echo '{"t":0,"worker":0,"station":0,"name":"w"}'; \
  echo '[99999999999999999999999,0,0,"get",0,0]'; } >"$TMP/big.rec"
refused "huge number" "$TMP/big.rec" ":3: not an event"
{ head -1 "$TMP/h.rec"; python3 -c 'print("{\"a\":" * 5000 + "1" + "}" * 5000)'; } >"$TMP/deep.rec"
refused "deep nesting" "$TMP/deep.rec" ":2: not a recording's line: column .*: nested too deep"
{ cat "$TMP/h.rec"; tail -1 "$TMP/h.rec"; } >"$TMP/twice.rec"
refused "two ends" "$TMP/twice.rec" "more after the end line"

# Hostile files: a recording with random bytes changed, many times over.
# Each is replayed or refused (exit 0, 1 or 2): nothing crashes.
python3 - "$TMP/h.rec" "$TMP/mut" <<'PY'
import random, sys
data = open(sys.argv[1], 'rb').read()
rnd = random.Random(13)
for i in range(60):
    b = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        k = rnd.randrange(len(b))
        b[k] = rnd.choice(b'[]{}",:-0123456789aez\n\\\x00\xff')
    open('%s%02d.rec' % (sys.argv[2], i), 'wb').write(bytes(b))
PY
crashed=0
for m in "$TMP"/mut*.rec; do
	"$DISHRACK" --headless -q --replay "$m" >/dev/null 2>"$TMP/err"
	rc=$?
	if [ $rc -gt 2 ]; then crashed=$((crashed + 1)); bad "mutant $(basename "$m"): exit $rc"; fi
done
[ $crashed -eq 0 ] && ok
# And through the screen's replay (offscreen, into a cast: the replay
# engine, its GIL and the timeline's fold), from a recording of the
# GIL's scene: nothing crashes, nothing a sanitizer sees. A damaged time
# can make a recording days long: a few seconds of each will do.
"$DISHRACK" --headless -q --clock virtual --speed 50 --record "$TMP/hg.rec" \
    gil-cpu >/dev/null
python3 - "$TMP/hg.rec" "$TMP/gmut" <<'PY'
import random, sys
data = open(sys.argv[1], 'rb').read()
rnd = random.Random(17)
for i in range(20):
    b = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        k = rnd.randrange(len(b))
        b[k] = rnd.choice(b'[]{}",:-0123456789\n')
    open('%s%02d.rec' % (sys.argv[2], i), 'wb').write(bytes(b))
PY
crashed=0
for m in "$TMP/hg.rec" "$TMP"/gmut*.rec; do
	timeout 5 "$DISHRACK" --headless -q --replay "$m" --cast "$TMP/gm.cast" \
	    >/dev/null 2>"$TMP/err"
	rc=$?
	if { [ $rc -gt 2 ] && [ $rc -ne 124 ]; } ||
	    grep -q "Sanitizer\|runtime error" "$TMP/err"; then
		crashed=$((crashed + 1))
		bad "screen replay of $(basename "$m"): exit $rc"
		head -3 "$TMP/err" >&2
	fi
done
[ $crashed -eq 0 ] && ok

# --trace: Chrome trace JSON, checked against the format's rules by
# trace-check.py, from a live run and from its recording (the same file).
CHECK="python3 $(dirname "$0")/../trace-check.py"
for args in "bottleneck" "deadlock" "race" "gil-cpu" "--set scenario.mode=processes seed-threads"; do
	tw=0
	case $args in deadlock) tw=1 ;; esac
	# shellcheck disable=SC2086
	expect_exit $tw "trace $args" -- "$DISHRACK" --headless -q --clock virtual \
	    --trace "$TMP/t.json" --record "$TMP/t.rec" $args
	expect_exit 0 "trace $args checks" -- $CHECK "$TMP/t.json"
	expect_exit $tw "trace from a replay, $args" -- "$DISHRACK" --headless -q \
	    --replay "$TMP/t.rec" --trace "$TMP/t2.json"
	same "trace of the replay, $args" "$TMP/t.json" "$TMP/t2.json"
done
"$DISHRACK" --headless -q --clock virtual --trace "$TMP/t.json" deadlock >/dev/null
expect_grep "$TMP/t.json" '"name":"deadlock","cat":"deadlock","args":{"cycle":"dryer-1 waits' "trace: deadlock instant"
"$DISHRACK" --headless -q --clock virtual --trace "$TMP/t.json" bottleneck >/dev/null
expect_grep "$TMP/t.json" '"name":"thread_name","pid":11,"tid":2,"args":{"name":"dryer-1"}' "trace: thread names"
expect_grep "$TMP/t.json" '"ph":"C","name":"rack washer -> dryer","args":{"depth":' "trace: rack depth counter"
expect_grep "$TMP/t.json" '"ph":"i","s":"g","name":"Watch the rack' "trace: captions"
expect_grep "$TMP/t.json" '"ph":"f","bp":"e","name":"dish"' "trace: flows"
"$DISHRACK" --headless -q --clock virtual --trace "$TMP/t.json" seed-threads >/dev/null
expect_grep "$TMP/t.json" '"ph":"X","name":"entree","cat":"dish"' "trace: a dish's slice has its name"
"$DISHRACK" --headless -q --trace "$TMP/race.json" --speed 20 race >/dev/null
expect_grep "$TMP/race.json" '"name":"lost updates","args":{"lost":' "trace: lost updates"
# Waits for a named lock and for the GIL are slices inside the work.
"$DISHRACK" --headless -q --clock virtual --trace "$TMP/t.json" deadlock >/dev/null
expect_grep "$TMP/t.json" '"ph":"X","name":"waiting for the cloth","cat":"lock"' "trace: a lock's wait"
expect_exit 0 "trace of the GIL" -- "$DISHRACK" --headless -q --speed 4 --trace "$TMP/g.json" \
    --svg "$TMP/g.svg" gil-cpu
expect_exit 0 "trace of the GIL checks" -- $CHECK "$TMP/g.json"
expect_grep "$TMP/g.json" '"ph":"X","name":"waiting for the GIL","cat":"gil"' "trace: the GIL's waits"
expect_grep "$TMP/g.svg" ">waiting for the GIL</text>" "svg: the GIL's waits in the legend"
# On the virtual clock too, the GIL's and the cupboard's waits are slices
# of their own, and they add up to the summary's figures to the
# microsecond (the same waits, told twice).
waits_sum() {	# TRACE JSON SLICE KEY: the slices' total is the summary's
	python3 - "$@" <<'PY'
import json, sys
tr, js, name, key = sys.argv[1:]
d = json.load(open(tr))
got = sum(e['dur'] for e in d['traceEvents']
          if e['ph'] == 'X' and e['name'] == name) / 1e6
n = sum(1 for e in d['traceEvents'] if e['ph'] == 'X' and e['name'] == name)
want = json.load(open(js))[key]['wait_seconds']
print(n, got, want)
sys.exit(0 if n > 0 and abs(got - want) < 1.5e-6 else 1)
PY
}
for args in "gil-cpu:waiting for the GIL:gil" \
    "--set scenario.cores=4 gil-cpu:waiting for the GIL:gil" \
    "--set cupboard.lock=mutex race:waiting for the cupboard:lock" \
    "--set cupboard.lock=spin race:waiting for the cupboard:lock"; do
	run=${args%%:*}; rest=${args#*:}; slice=${rest%%:*}; key=${rest#*:}
	# shellcheck disable=SC2086
	expect_exit 0 "virtual waits, $run" -- "$DISHRACK" --headless -q --json \
	    --clock virtual --trace "$TMP/v.json" --svg "$TMP/v.svg" $run
	cp "$TMP/out" "$TMP/v.sum"
	expect_exit 0 "virtual waits, $run: checks" -- $CHECK "$TMP/v.json"
	expect_exit 0 "virtual waits, $run: the slices are the summary's" -- \
	    waits_sum "$TMP/v.json" "$TMP/v.sum" "$slice" "$key"
done
expect_grep "$TMP/v.svg" ">waiting for a lock</text>" "svg: the cupboard's waits in the legend"
# The checker fails what breaks the rules.
grep -v '"thread_name","pid":11,"tid":2' "$TMP/t.json" >"$TMP/bad.json"
expect_exit 1 "checker: a thread without a name" -- $CHECK "$TMP/bad.json"
expect_grep "$TMP/out" "has no thread_name" "checker says which"
grep -v '"ph":"f"' "$TMP/t.json" >"$TMP/bad.json"
expect_exit 1 "checker: flows without ends" -- $CHECK "$TMP/bad.json"
sed 's/"dur":\([0-9]\)/"dur":9\1/' "$TMP/t.json" >"$TMP/bad.json"
expect_exit 1 "checker: slices that overlap" -- $CHECK "$TMP/bad.json"
head -c 3000 "$TMP/t.json" >"$TMP/bad.json"
expect_exit 1 "checker: cut short" -- $CHECK "$TMP/bad.json"

# --svg: a well-formed picture with a row per worker, that renders at
# 1920x1080 and is not blank. (rsvg-convert, xmllint: install-deps.sh.)
expect_exit 0 "svg" -- "$DISHRACK" --headless -q --clock virtual --svg "$TMP/b.svg" \
    --record "$TMP/b.rec" bottleneck
if command -v xmllint >/dev/null 2>&1; then
	expect_exit 0 "svg well-formed" -- xmllint --noout "$TMP/b.svg"
else echo "record.sh: no xmllint, well-formedness not checked" >&2; fi
for wk in washer-1 dryer-1 dryer-2 stacker-1; do
	expect_grep "$TMP/b.svg" "text-anchor=\"end\"[^>]*>$wk</text>" "svg: a row for $wk"
done
expect_grep "$TMP/b.svg" "bottleneck: dryer" "svg: the bottleneck named"
expect_grep "$TMP/b.svg" "Watch the rack in front of the dryer fill" "svg: a caption"
expect_exit 0 "svg of the replay" -- "$DISHRACK" --headless -q --replay "$TMP/b.rec" --svg "$TMP/b2.svg"
same "svg of the replay" "$TMP/b.svg" "$TMP/b2.svg"
if command -v rsvg-convert >/dev/null 2>&1; then
	expect_exit 0 "svg renders" -- rsvg-convert -o "$TMP/b.png" "$TMP/b.svg"
	python3 - "$TMP/b.png" >"$TMP/png" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
w, h = struct.unpack('>II', d[16:24])
# Inflate the image data and count the rows that are not all one colour.
i, idat = 8, b''
while i < len(d):
    n, = struct.unpack('>I', d[i:i + 4])
    if d[i + 4:i + 8] == b'IDAT':
        idat += d[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(idat)
stride = (len(raw) // h) - 1
busy = sum(1 for r in range(h) if len(set(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])) > 4)
print('%dx%d %d' % (w, h, busy))
PY
	expect_grep "$TMP/png" "^1920x1080 " "svg: 1920x1080"
	if [ "$(cut -d' ' -f2 "$TMP/png")" -gt 300 ]; then ok; else
		bad "svg: the picture is nearly blank ($(cat "$TMP/png"))"; fi
else echo "record.sh: no rsvg-convert, the picture is not rendered" >&2; fi
expect_exit 0 "svg, a million-dish class" -- "$DISHRACK" --headless -q --svg "$TMP/big.svg" \
    --set scenario.dishes=100000 --set washer.time=0 --set dryer.time=0 seed-threads
if [ "$(wc -c <"$TMP/big.svg")" -lt 400000 ]; then ok; else
	bad "svg: $(wc -c <"$TMP/big.svg") bytes for 100000 dishes"; fi

# --cast: asciicast v2. Headless, the screen it would have shown (100x30,
# drawn off the terminal), with the headless summary on stdout.
expect_exit 0 "headless cast" -- "$DISHRACK" --headless --clock virtual --speed 8 \
    --cast "$TMP/a.cast" seed-threads
expect_grep "$TMP/out" "^Washing salad" "headless cast: the workers' text"
expect_grep "$TMP/out" ": conserved" "headless cast: the summary"
head -1 "$TMP/a.cast" >"$TMP/head"
expect_grep "$TMP/head" '^{"version": 2, "width": 100, "height": 30, "timestamp": [0-9]*, "title": "Threads: one washer, two dryers"' "cast header"
expect_grep "$TMP/a.cast" '^\[[0-9.]*, "o", "' "cast: o events"
expect_grep "$TMP/a.cast" '^\[[0-9.]*, "m", "Washer and dryers print at the same moment' "cast: a caption marker"
python3 - "$TMP/a.cast" >"$TMP/castcheck" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
json.loads(lines[0])
last = 0
for l in lines[1:]:
    t, code, data = json.loads(l)
    assert code in ('o', 'm', 'r') and isinstance(data, str), l
    assert t >= last, 'time goes back: %s' % l
    last = t
print('ok', len(lines) - 1)
PY
expect_grep "$TMP/castcheck" "^ok" "cast: every line JSON, times in order"
if command -v asciinema >/dev/null 2>&1 && command -v script >/dev/null 2>&1; then
	# asciinema cat wants a terminal: script gives it one.
	expect_exit 0 "asciinema cat" -- script -qec "asciinema cat $TMP/a.cast" /dev/null
	expect_grep "$TMP/out" "dishrack  Threads: one washer, two dryers" "asciinema cat: the header row"
	expect_grep "$TMP/out" "finished" "asciinema cat: the end of the run"
else echo "record.sh: no asciinema, the cast is not played" >&2; fi

# A recording's cast: the screen its replay shows, made headless; the
# summary as --headless --replay prints it.
"$DISHRACK" --headless --clock virtual --speed 10 --record "$TMP/c.rec" bottleneck >"$TMP/c.live"
expect_exit 0 "cast of a replay" -- "$DISHRACK" --headless --replay "$TMP/c.rec" --cast "$TMP/c.cast"
same "cast of a replay: the summary" "$TMP/c.live" "$TMP/out"
expect_grep "$TMP/c.cast" '^\[[0-9.]*, "m", "A second dryer' "cast of a replay: markers"
expect_grep "$TMP/c.cast" 'REPLAY 24.5/24.5s' "cast of a replay: to the end"

# stable TM TARGET FILE: capture the pane once it stops changing.
stable() {
	$1 capture-pane -p -t "$2" >"$3.a" 2>/dev/null
	j=0
	while [ $j -lt 30 ]; do
		sleep 0.2
		$1 capture-pane -p -t "$2" >"$3" 2>/dev/null
		cmp -s "$3" "$3.a" && return 0
		cp "$3" "$3.a"; j=$((j + 1))
	done
}

# The screen's cast, played back in a terminal of the same size, shows
# what the screen showed; the screen's recording replays.
if command -v tmux >/dev/null 2>&1 && command -v asciinema >/dev/null 2>&1; then
	TM="tmux -S $TMP/tmux.sock -f /dev/null"
	$TM new-session -d -s rec -x 100 -y 30 "$DISHRACK --speed 8 --cast $TMP/s.cast --record $TMP/s.rec seed-threads 2>$TMP/s.err; sleep 30"
	i=0
	while [ $i -lt 100 ] && ! $TM capture-pane -p -t rec 2>/dev/null | grep -q "| finished"; do
		sleep 0.1; i=$((i + 1)); done
	stable "$TM" rec "$TMP/live.txt"
	$TM send-keys -t rec q
	sleep 0.5
	$TM kill-server 2>/dev/null
	expect_grep "$TMP/live.txt" "| finished" "screen cast: the run finished"
	TM="tmux -S $TMP/tmux2.sock -f /dev/null"
	$TM new-session -d -s play -x 100 -y 30 "asciinema cat $TMP/s.cast; sleep 30"
	i=0
	while [ $i -lt 50 ] && ! $TM capture-pane -p -t play 2>/dev/null | grep -q "| finished"; do
		sleep 0.1; i=$((i + 1)); done
	stable "$TM" play "$TMP/cast.txt"
	$TM kill-server 2>/dev/null
	same "the cast's last frame is the screen's" "$TMP/live.txt" "$TMP/cast.txt"
	expect_exit 0 "replay of the screen's recording" -- "$DISHRACK" --headless -q --replay "$TMP/s.rec"
	expect_grep "$TMP/out" "4 washed, 4 dried" "screen recording: the run's figures"
	# Parts as the screen drained them: "Washing" and " salad" can be
	# two lines of the file when a drain fell between them.
	expect_grep "$TMP/s.rec" '"out":"Washing' "screen recording: the workers' text"
fi

# Rewind on the live screen: step back past a caption and the caption
# before it shows again, with a bar saying the run goes on; l is live.
if command -v tmux >/dev/null 2>&1; then
	TM="tmux -S $TMP/tmux3.sock -f /dev/null"
	$TM new-session -d -s rw -x 100 -y 30 "$DISHRACK --speed 3 bottleneck 2>$TMP/rw.err; sleep 30"
	pane() { $TM capture-pane -p -t rw >"$TMP/pane" 2>/dev/null; }
	until_pane() {
		i=0
		while [ $i -lt 100 ]; do
			pane; grep -q -- "$1" "$TMP/pane" && return 0
			sleep 0.1; i=$((i + 1))
		done
		return 1
	}
	if until_pane "A second dryer"; then ok; else bad "rewind: the third caption never came"; fi
	$TM send-keys -t rw '<'
	if until_pane "REVIEW t="; then ok; else bad "rewind: no review bar"; fi
	expect_grep "$TMP/pane" "Watch the rack in front of the dryer fill" "rewind: the caption before shows again"
	expect_grep "$TMP/pane" "the run goes on (now t=" "rewind: says the run goes on"
	expect_no_grep "$TMP/pane" "A second dryer" "rewind: the later caption is gone"
	$TM send-keys -t rw '<'
	if until_pane "The washer is fast, the dryer slow"; then ok; else bad "rewind: the first caption"; fi
	$TM send-keys -t rw '>'
	if until_pane "Watch the rack in front"; then ok; else bad "rewind: > goes to the next caption"; fi
	$TM send-keys -t rw 'l'
	if until_pane "space pause"; then ok; else bad "rewind: l goes live"; fi
	expect_no_grep "$TMP/pane" "REVIEW" "rewind: live has no review bar"
	$TM send-keys -t rw q
	sleep 0.3
	$TM kill-server 2>/dev/null
fi

# (The screens' stderr goes to a file: under ASan the virtual clock's
# fibers make it warn, which would scroll the pane.)
# The screen on a recording. At a [script] pause (the live run and the
# replay both stop there, exactly) the replay shows what the live screen
# showed, whole: every row but the key bar (the replay's own), the
# timeline's columns, the GIL's row, the sparklines and the bars with
# them (sample.c folds them from the events' times, not the frames'). At
# two pauses of the same run, and for the GIL's scene.
if command -v tmux >/dev/null 2>&1; then
	cat >"$TMP/pause.scn" <<'SCN'
[scenario]
title  = Pause for the replay
dishes = 12
[washer]
time  = 1s
say   = Washing {dish}
[dryer]
time  = 3s
say   = Drying {dish}
[script]
0s   say The washer is fast, the dryer slow.
6.5s pause Look at the rack in front of the dryer.
9.5s pause And now?
SCN
	cat >"$TMP/gilp.scn" <<'SCN'
[scenario]
title  = The GIL, paused
dishes = 8
gil    = on
output = lines
[washer]
time  = 0
[dryer]
count = 4
time  = 200ms
work  = cpu
say_after = {worker} computed {dish}
[script]
0s     say Four dryers compute, one at a time.
0.3s   pause Who holds the GIL?
0.7s   pause And now?
SCN
	# pauses SOCK NAME CMD OUT T1 T2: the screen at its pauses at T1
	# and T2 (space goes on from the first), in OUT.1 and OUT.2.
	pauses() {
		PT="tmux -S $1 -f /dev/null"
		$PT new-session -d -s "$2" -x 100 -y 30 "$3; sleep 30"
		n=1
		for at in $5 $6; do
			i=0
			while [ $i -lt 150 ] && ! $PT capture-pane -p -t "$2" 2>/dev/null |
			    grep -q "t=${at}s .*| PAUSED"; do
				sleep 0.1; i=$((i + 1)); done
			stable "$PT" "$2" "$4.$n"
			$PT send-keys -t "$2" Space
			n=$((n + 1))
		done
		$PT send-keys -t "$2" q
		sleep 0.5
		$PT kill-server 2>/dev/null
	}
	# pause_cmp SCENARIO SPEED T1 T2
	pause_cmp() {
		pauses "$TMP/tmux4.sock" live "$DISHRACK --speed $2 --clock virtual --record $TMP/p.rec $TMP/$1.scn 2>$TMP/p.err" "$TMP/live" "$3" "$4"
		pauses "$TMP/tmux5.sock" rep "$DISHRACK --replay $TMP/p.rec 2>$TMP/rep.err" "$TMP/rep" "$3" "$4"
		for n in 1 2; do
			at=$3; [ $n = 2 ] && at=$4
			expect_grep "$TMP/live.$n" "t=${at}s | speed ×$2 | PAUSED" "live $1: paused at $at s"
			expect_grep "$TMP/rep.$n" "t=${at}s | speed ×$2 | PAUSED" "replay $1: paused at $at s"
			expect_grep "$TMP/rep.$n" "^ REPLAY ${at}/" "replay $1: its bar"
			sed '$d' "$TMP/live.$n" >"$TMP/live.cmp"
			sed '$d' "$TMP/rep.$n" >"$TMP/rep.cmp"
			same "$1: the replay's screen at the pause at $at s, whole" "$TMP/live.cmp" "$TMP/rep.cmp"
		done
	}
	pause_cmp pause 8 6.5 9.5
	pause_cmp gilp 0.5 0.3 0.7
	expect_grep "$TMP/live.1" "^GIL held by  *[1-4]" "live: the GIL's row"
	expect_grep "$TMP/rep.1" "░ dryer-[1-4] " "replay: who waits for the GIL"

	# Moving through a replay, paused: the end, a caption back, another,
	# a second back, the start, the next caption, the next change.
	"$DISHRACK" --headless -q --clock virtual --record "$TMP/b.rec" bottleneck >/dev/null
	TM="tmux -S $TMP/tmux6.sock -f /dev/null"
	$TM new-session -d -s mv -x 100 -y 30 "$DISHRACK --replay $TMP/b.rec 2>$TMP/mv.err; sleep 30"
	sleep 0.5
	# key KEY PATTERN WHAT: press it, and the screen shows PATTERN.
	key() {
		[ -n "$1" ] && $TM send-keys -t mv "$1"
		i=0
		while [ $i -lt 50 ]; do
			$TM capture-pane -p -t mv >"$TMP/mv" 2>/dev/null
			grep -q -- "$2" "$TMP/mv" && { ok; return; }
			sleep 0.1; i=$((i + 1))
		done
		bad "replay: $3: no '$2'"; sed 's/^/  | /' "$TMP/mv" >&2
	}
	# playhead: the timeline's column drawn in reverse video (the
	# replay's time), counted from the timeline's left; its text is the
	# live screen's (only the attribute marks it).
	playhead() {
		$TM capture-pane -e -p -t mv >"$TMP/mv.e" 2>/dev/null
		python3 - "$TMP/mv.e" <<'PY'
import re, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    col, rev, cols = 0, False, []
    for m in re.finditer(r"\x1b\[([0-9;]*)m|([^\x1b\n])", line):
        if m.group(1) is not None:
            for p in (m.group(1) or "0").split(";"):
                if p in ("0", ""):
                    rev = False
                elif p == "7":
                    rev = True
                elif p == "27":
                    rev = False
            continue
        if rev and col >= 12:
            cols.append(col - 12)
        col += 1
    if re.match(r"(washer|dryer|stacker)-1 ", re.sub(r"\x1b\[[0-9;]*m", "", line)):
        print(cols[0] if len(cols) == 1 else "none")
        break
else:
    print("none")
PY
	}
	key Space "| PAUSED" "space pauses"
	key End "REPLAY 24.5/24.5s" "End goes to the end"
	key '<' "t=9.0s .*PAUSED" "< goes to the last caption"
	key '' "A second dryer" "its caption"
	ph_9=$(playhead)
	key '<' "t=6.0s .*PAUSED" "< again, the caption before"
	# The caption of 6.0 s may come a frame after the clock shows 6.0 s.
	key '' "Watch the rack in front of the dryer fill" "the caption before shows again"
	expect_no_grep "$TMP/mv" "A second dryer" "replay: the later caption is gone"
	key ',' "t=5.0s .*PAUSED" ", goes a second back"
	# The playhead moves with each seek: 9.0 s, then 5.0 s, then 0.
	ph_5=$(playhead)
	if [ "$ph_9" != none ] && [ "$ph_5" != none ] &&
	    [ "$ph_5" -lt "$ph_9" ] && [ "$ph_5" -gt 0 ]; then ok; else
		bad "replay: the playhead at 9.0 s ($ph_9), at 5.0 s ($ph_5)"
		cat -v "$TMP/mv.e" | sed 's/^/  | /' >&2
	fi
	key '' "The washer is fast, the dryer slow" "the first caption"
	key Home "t=0.0s .*PAUSED" "Home goes to the start"
	ph_0=$(playhead)
	[ "$ph_0" = 0 ] && ok || bad "replay: the playhead at the start ($ph_0)"
	key '>' "t=6.0s .*PAUSED" "> goes to the next caption (the first is at 0 s)"
	key c "t=9.0s .*PAUSED" "c goes to the next change of workers"
	key '' "dryer ×2" "the second dryer is there"
	key a "the recorded run stays as it was" "a replay refuses a worker"
	$TM send-keys -t mv q
	sleep 0.5
	$TM kill-server 2>/dev/null

	# m and M: where the BOTTLENECK mark moves. One dryer behind a rack
	# of one: the dryer is the busiest; four from 8 s: a window later,
	# the washer is. Found by folding the replay once.
	cat >"$TMP/move.scn" <<'SCN'
[scenario]
title  = The bottleneck moves
dishes = 20
rack   = 1
[washer]
time  = 1s
[dryer]
time  = 3s
[script]
0s   say One dryer: it sets the pace, the washer waits for room.
8s   set dryer.count = 4
8s   say Four dryers: now the washer sets it.
SCN
	"$DISHRACK" --headless -q --clock virtual --record "$TMP/move.rec" "$TMP/move.scn" >/dev/null
	$TM new-session -d -s mv -x 100 -y 30 "$DISHRACK --replay $TMP/move.rec 2>$TMP/mv.err; sleep 30"
	sleep 0.5
	key Space "| PAUSED" "space pauses"
	key Home "t=0.0s .*PAUSED" "Home"
	expect_grep "$TMP/mv" "dryer ×1 3s BOTTLENECK" "replay: the dryer is the bottleneck first"
	key m "washer ×1 1s BOTTLENECK" "m goes to where the bottleneck moves"
	at=$(sed -n 's/.*| t=\([0-9.]*\)s .*/\1/p' "$TMP/mv" | head -1)
	if [ -n "$at" ] && awk -v t="$at" 'BEGIN { exit !(t > 8 && t < 26) }'; then ok; else
		bad "m: the move at ${at:-?} s, not after the 8 s change"; fi
	key m "does not move after this" "m: no move after the last"
	key End "REPLAY 26.0/26.0s" "End"
	key M "t=$at""s .*PAUSED" "M goes back to where it moved"
	$TM send-keys -t mv q
	sleep 0.5
	$TM kill-server 2>/dev/null
fi

# --report: one HTML page with the picture inline, the summary as the
# headless run printed it, and the scenario.
expect_exit 0 "report" -- "$DISHRACK" --headless -q --clock virtual \
    --report "$TMP/r.html" --record "$TMP/r.rec" bottleneck
cp "$TMP/out" "$TMP/r.out"
python3 - "$TMP/r.html" "$TMP/r.out" >"$TMP/rcheck" <<'PY'
import html, re, sys
page = open(sys.argv[1], encoding='utf-8').read()
m = re.search(r'<h2>Summary</h2>\n<pre>(.*?)</pre>', page, re.S)
ok = m is not None and html.unescape(m.group(1)) == open(sys.argv[2]).read()
print('summary', 'same' if ok else 'differs')
print('svg', '<svg xmlns=' in page and '</svg>' in page)
print('scenario', '# bottleneck.scn' in page)
print('nothing fetched', not re.search(r'(src|href)=', page))
PY
for w in "summary same" "svg True" "scenario True" "nothing fetched True"; do
	expect_grep "$TMP/rcheck" "^$w" "report: $w"
done
expect_exit 0 "report of a replay" -- "$DISHRACK" --headless -q --replay "$TMP/r.rec" --report "$TMP/r2.html"
same "report of the replay" "$TMP/r.html" "$TMP/r2.html"

# Refused uses: --replay with a scenario, on the screen for now.
expect_exit 2 "replay with a scenario" -- "$DISHRACK" --headless --replay "$TMP/h.rec" seed-threads
expect_grep "$TMP/err" "reads its scenario from the recording" "replay + scenario"
expect_exit 2 "record a matrix" -- "$DISHRACK" --headless --matrix 'dryer.count=1,2' --record "$TMP/m.rec" seed-threads
expect_grep "$TMP/err" "are of one run, not of a --matrix" "record + matrix"
[ -e "$TMP/m.rec" ] && bad "record + matrix: a file was left"
expect_exit 2 "record to nowhere" -- "$DISHRACK" --headless -q --record /nonexistent/x.rec seed-threads
expect_grep "$TMP/err" "^dishrack: /nonexistent/x.rec: No such file" "record: where and why"
expect_clean "record"
finish
