#!/bin/sh
# tui.sh: the screen in a real terminal: tmux runs dishrack, send-keys
# types, capture-pane reads what a person would see.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "tui: tmux not installed"; exit 77
fi
n=0
T=true
trap 'end_pane; rm -rf "$TMP"' EXIT

# screen: what the pane shows now.
screen() { $T capture-pane -p -t dr >"$TMP/screen" 2>/dev/null; }

# wait_for PATTERN [SECONDS]: until the pane shows it.
wait_for() {
	i=0; limit=$(( ${2:-10} * 10 ))
	while [ $i -lt $limit ]; do
		screen
		grep -q -- "$1" "$TMP/screen" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

expect_screen() {
	if wait_for "$1" "${3:-10}"; then ok; else
		bad "$2: screen lacks '$1'"; sed 's/^/  | /' "$TMP/screen" >&2
	fi
}

# end_pane: the pane's dishrack is asked to leave (SIGTERM) and waited
# for before its server goes. Tearing the terminal down under a dishrack
# that is still exiting sends it SIGHUP and SIGCONT, and under
# LeakSanitizer that SIGCONT cancels the stop its leak check waits for:
# the process then spins for ever, and its core is missing from every
# timing test after it.
end_pane() {
	pane=$($T display-message -p -t dr '#{pane_pid}' 2>/dev/null) ||
	    { $T kill-server 2>/dev/null; return 0; }
	pkill -TERM -s "$pane" -x dishrack 2>/dev/null
	i=0
	while pgrep -s "$pane" -x dishrack >/dev/null 2>&1; do
		if [ $i -ge 100 ]; then
			bad "dishrack still running 10 s after SIGTERM"
			pkill -KILL -s "$pane" -x dishrack; break
		fi
		sleep 0.1; i=$((i + 1))
	done
	$T kill-server 2>/dev/null
}

# start COMMAND: a fresh tmux server (its own socket) running COMMAND.
start() {
	end_pane
	n=$((n + 1))
	T="tmux -S $TMP/tmux.$n.sock"
	rm -f "$TMP/status"
	$T -f /dev/null new-session -d -s dr -x "${W:-120}" -y "${H:-40}" \
	    "stty -g >$TMP/stty.before; $*; st=\$?; stty -g >$TMP/stty.after; stty -a >$TMP/stty.all; echo \"exit=\$st\" >$TMP/status; sleep 30"
}

# wait_status [SECONDS]: until the pane's command has ended.
wait_status() {
	i=0; limit=$(( ${1:-10} * 10 ))
	while [ ! -f "$TMP/status" ] && [ $i -lt $limit ]; do
		sleep 0.1; i=$((i + 1))
	done
}

# guard_pid: the pane's guardian; screen_pid: the screen, its child.
guard_pid() {
	pgrep -s "$($T display-message -p -t dr '#{pane_pid}' 2>/dev/null)" \
	    -x dishrack-guard | head -1
}
# A guardian not found at once may not have its name yet: looked for
# again, for a second, before the oldest dishrack (no guardian) is taken
# (a signal meant for the screen went to the guardian once, exit 0).
screen_pid() {
	k=0
	while guard=$(guard_pid); [ -z "$guard" ] && [ $k -lt 10 ]; do
		sleep 0.1; k=$((k + 1))
	done
	if [ -n "$guard" ]; then pgrep -P "$guard" -x dishrack | head -1
	else pgrep -o -s "$($T display-message -p -t dr '#{pane_pid}')" \
	    -x dishrack; fi
}

# expect_restored WHAT: the terminal as it was before dishrack: the
# normal screen, a cursor, the same modes (echo and canonical input).
expect_restored() {
	if [ "$($T display -p -t dr '#{alternate_on}')" = 0 ]; then ok; else
		bad "$1: the alternate screen is still on"; fi
	if [ "$($T display -p -t dr '#{cursor_flag}')" = 1 ]; then ok; else
		bad "$1: the cursor is still hidden"; fi
	if cmp -s "$TMP/stty.before" "$TMP/stty.after" &&
	    grep -q ' echo ' "$TMP/stty.all" && grep -q ' icanon ' "$TMP/stty.all"
	then ok; else
		bad "$1: terminal modes differ"; sed 's/^/  | /' "$TMP/stty.all" >&2
	fi
}

# The built-in scenario: header, stations, rack, output.
W=120 H=40 start "$DISHRACK"
expect_screen "Threads: one washer, two dryers" "header title"
expect_screen "threads | real clock" "header mode and clock"
expect_screen "washer" "washer station"
expect_screen "dryer" "dryer station"
expect_screen "rack" "rack"
expect_screen "timeline" "timeline"
expect_screen "Washing salad" "output pane"
expect_screen "space pause" "key bar"
expect_screen "washer-1 .*[0-9] done  tid [0-9]" "a thread's row: dishes done, thread id"
expect_screen "One washer (2 s a dish) feeds two dryers" "[script] caption"

# d: a third dryer appears and works.
$T send-keys -t dr d
expect_screen "dryer-3" "third dryer after d"
expect_screen "dryer ×3\|dryer x3" "dryer count 3"

# space: paused, and the clock stands still.
$T send-keys -t dr ' '
expect_screen "PAUSED" "paused"
sleep 0.3; screen; t1=$(grep -o 't=[0-9.]*s' "$TMP/screen")
sleep 1.2; screen; t2=$(grep -o 't=[0-9.]*s' "$TMP/screen")
if [ -n "$t1" ] && [ "$t1" = "$t2" ]; then ok; else
	bad "clock moved while paused: $t1 then $t2"; fi
$T send-keys -t dr ' '
expect_screen "running" "resumed"

# ?: the help pauses the run and explains the screen as well as the keys;
# the arrows and pages scroll it, any other key closes it and the run
# goes on as it was.
$T send-keys -t dr '?'
expect_screen "add / remove a worker" "help overlay"
expect_screen "| PAUSED" "help pauses the run"
expect_screen "waiting for a dish: the rack in front is empty" "help: glyphs"
# Page Down until the racks' labels show: the help's length changes as
# labels are added, what it shows is the point.
for page in 1 2 3; do
	$T send-keys -t dr NPage
	wait_for "the sparkline: its depth over time" 2 && break
done
expect_screen "the sparkline: its depth over time" "help scrolls: labels"
$T send-keys -t dr x
expect_screen "| running" "closing the help resumes the run"
expect_no_grep "$TMP/screen" "help: the run is paused" "the help closes"
$T send-keys -t dr ' '
expect_screen "| PAUSED" "paused before the help"
$T send-keys -t dr '?'
expect_screen "help: the run is paused" "help while paused"
$T send-keys -t dr x
sleep 0.5
expect_screen "| PAUSED" "a run paused before the help stays paused"
$T send-keys -t dr ' '
expect_screen "| running" "running again"

# Resize: smaller still fits, tiny asks for more, back again.
$T resize-window -t dr -x 70 -y 20
expect_screen "rack" "70x20 still draws"
# Narrow, the header keeps the run's state and the key bar help and quit.
expect_screen "| \(running\|PAUSED\|finished\)$" "70x20 header state"
expect_screen "? help  q quit" "70x20 key bar keeps help and quit"
$T resize-window -t dr -x 40 -y 10
expect_screen "enlarge the terminal" "40x10 asks for more"
$T resize-window -t dr -x 120 -y 40
expect_screen "timeline" "back to 120x40"

# Projector sizes: nothing spills over a border or is cut short.
$T resize-window -t dr -x 50 -y 14
expect_screen "(it is 50x14)" "50x14: the too-small message whole"
$T resize-window -t dr -x 120 -y 40
expect_screen "timeline" "back to 120x40 again"

# q: the shell is back, the terminal as it was.
$T send-keys -t dr q
if wait_for "" 1 && [ -f "$TMP/status" ] || sleep 1; then :; fi
i=0; while [ ! -f "$TMP/status" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
expect_grep "$TMP/status" "exit=0" "q exits 0"
if cmp -s "$TMP/stty.before" "$TMP/stty.after"; then ok; else
	bad "terminal modes differ after q"; fi
screen
if $T display -p -t dr '#{alternate_on}' | grep -q 0; then ok; else
	bad "alternate screen still on after q"; fi

# .: while paused, run to a worker's next event and pause there; the
# clock moves at every press (the resume's own event used to count as the
# next one, and 30 presses left the clock where it was).
W=100 H=30 start "$DISHRACK --speed 4"
expect_screen "| running" "step: the screen is up"
$T send-keys -t dr ' '
expect_screen "| PAUSED" "step: paused"
sleep 0.5; screen; t0=$(grep -o 't=[0-9.]*s' "$TMP/screen")
# A step moved if the clock did, or (two events in one tenth of a second,
# which the header's one decimal cannot tell apart) the screen below it.
body() { sed 1d "$TMP/screen"; }
b0=$(body)
for k in 1 2 3; do
	$T send-keys -t dr '.'
	i=0; t1=$t0; moved=""
	while [ $i -lt 50 ]; do
		sleep 0.2; screen
		t1=$(grep -o 't=[0-9.]*s' "$TMP/screen")
		if grep -q '| PAUSED' "$TMP/screen" && { [ "$t1" != "$t0" ] ||
		    [ "$(body)" != "$b0" ]; }; then
			moved=1; break; fi
		i=$((i + 1))
	done
	if [ -n "$moved" ]; then ok
	else bad "step $k: still $t0, or not paused again"
		sed 's/^/  | /' "$TMP/screen" >&2; fi
	t0=$t1; b0=$(body)
done
$T send-keys -t dr q

# A [script] pause goes on with what a presenter's clicker sends for
# "next" (Enter, Right, Page Down, n, as space); its "blank the screen"
# ('.', 'b') neither goes on nor steps.
cat >"$TMP/pauses.scn" <<'EOF'
[scenario]
title  = Pauses for a clicker
dishes = 20
output = lines

[washer]
time = 500ms

[dryer]
time = 500ms

[script]
1s  pause first pause
2s  pause second pause
3s  pause third pause
4s  pause fourth pause
5s  pause fifth pause
6s  pause sixth pause
EOF
W=100 H=30 start "$DISHRACK --clock virtual $TMP/pauses.scn"
expect_screen "t=1.0s .*| PAUSED" "script pause: paused at 1 s"
expect_screen "first pause  (space, Enter, Right or n: go on)" \
    "script pause: the caption says how to go on"
at=1
for key in Enter Right . b NPage n Space; do
	$T send-keys -t dr "$key"
	case $key in
	.|b) sleep 1
		expect_screen "t=$at.0s .*| PAUSED" "script pause: $key stays"
		expect_screen "paused by the script: space, Enter" \
		    "script pause: $key says how to go on" ;;
	*) at=$((at + 1))
		expect_screen "t=$at.0s .*| PAUSED" "script pause: $key goes on" ;;
	esac
done
$T send-keys -t dr q

# Busy counts the work in progress: from 2 s to 6 s both dryers of the
# built-in scenario are mid-dish and none is done (it said busy 0%).
W=100 H=30 start "$DISHRACK --clock virtual"
expect_screen "└─ 0 done, busy [1-9][0-9]*% " "busy counts dishes begun"
$T send-keys -t dr q

# Titles stop before the corner (a range of times used to run into it),
# the rack says hand-off whole, and "+N more" has a row of its own (it
# was written over the last worker's row, leaving bits of it).
W=60 H=16 start "$DISHRACK --set washer.time=500ms..1500ms --set dryer.count=12"
expect_screen "washer ×1" "60x16: the washer's box"
if grep -q '[^─]┐' "$TMP/screen"; then
	bad "60x16: a title runs into its corner"
	sed 's/^/  | /' "$TMP/screen" >&2; else ok; fi
expect_screen "│ +[0-9]* more  *│$" "60x16: +N more on a row of its own"
$T send-keys -t dr q
W=100 H=30 start "$DISHRACK --set dryer.count=20 handoff"
expect_screen "│ hand-off │" "100x30: hand-off whole"
expect_screen "│ +1[0-9] more  *│$" "100x30: +N more, nothing after it"
$T send-keys -t dr q

# The timeline starts at the left at 0 s and is scaled to the width (at
# 200 columns it began at column 170), under an axis with the seconds.
W=200 H=50 start "$DISHRACK --speed 2"
expect_screen "^dryer-1     [·█]" "200x50: the timeline starts at the left"
expect_screen "^seconds     |0s  *|1s  *|2s  *|3s .*|10s " "200x50: the timeline's axis"
$T send-keys -t dr q
# A name too long for the timeline's column keeps its number: the
# ventilator's was cut to "ventilator-", and two such workers looked one.
W=80 H=24 start "$DISHRACK --set ventilator.count=2 zmq-pipeline"
expect_screen "^ventilat…-1" "80x24: a long name keeps its number"
expect_screen "^ventilat…-2" "80x24: and its neighbour's"
$T send-keys -t dr q
# An open system shows its queue: the dishes arrived and not yet taken
# (queueing's one station had no rack to draw, and so no queue at all).
W=80 H=24 start "$DISHRACK --speed 50 --set teller.count=1 queueing"
expect_screen "done, busy [0-9]*% ─ [1-9][0-9]* in the queue ─" "80x24: the queue in front of the teller" 20
$T send-keys -t dr q
# Three stations at 100 and 80 columns keep every worker's progress bar
# (under its row, where the box is too narrow beside it), and the axis.
for size in 100x30 80x24; do
	W=${size%x*} H=${size#*x} start "$DISHRACK --speed 4 bottleneck"
	expect_screen "dryer-1 " "$size: the dryer's row"
	expect_screen "^│   █*░░*   │ *│.*│   █*░*   │" "$size: progress bars"
	expect_screen "^seconds     |0s  *|5s  *|10s" "$size: the axis"
	if grep -q '[^─]┐' "$TMP/screen"; then
		bad "$size: a title runs into its corner"
		sed 's/^/  | /' "$TMP/screen" >&2; else ok; fi
	$T send-keys -t dr q
done

# The bottleneck is what the run measures (the busiest station), not the
# scenario's times alone: four CPU-bound dryers share one GIL, so they
# are slower than a 100 ms washer though their count says otherwise.
W=100 H=30 start "$DISHRACK --speed 0.5 --set washer.time=100ms gil-cpu"
expect_screen "dryer ×4 200ms BOTTLENECK" "GIL: the dryers measured the bottleneck"
expect_no_grep "$TMP/screen" "washer ×1 100ms BOTTLENECK" "GIL: not the washer"
$T send-keys -t dr q
# The bottleneck scene's own lesson, measured: the washer upstream is as
# busy as the dryer (its rack has room), the dryer waited only while the
# line filled, so the dryer is named, and stays named.
W=120 H=40 start "$DISHRACK --clock virtual --speed 4 bottleneck"
expect_screen "dryer ×1 3s BOTTLENECK " "bottleneck scene: the dryer named"
for k in 1 2 3 4; do
	sleep 0.5; screen
	if grep -q "washer ×1 1s BOTTLENECK\|stacker ×1 500ms BOTTLENECK" "$TMP/screen"; then
		bad "bottleneck scene: another named at a look $k"
		sed 's/^/  | /' "$TMP/screen" >&2; break; else ok; fi
done
$T send-keys -t dr q
# A script slows the dryer at 12 s: the washer is the bottleneck before
# (predicted, "?", until a dish went through), the dryer after; the
# summary says the times alone predicted the washer.
printf '[scenario]\ntitle = Slower dryer at 12 s\ndishes = 20\n[washer]\ntime = 1s\n[dryer]\ntime = 500ms\n[script]\n12s set dryer.time = 3s\n' >"$TMP/slower.scn"
W=120 H=40 start "$DISHRACK --clock virtual --speed 8 $TMP/slower.scn"
expect_screen "washer ×1 1s BOTTLENECK" "script: the washer first"
expect_screen "dryer ×1 3s BOTTLENECK" "script: the dryer once slowed"
expect_screen "summary" "script: the summary" 15
expect_screen "│ washer .*<- the times alone predict the bottleneck here" "script: the washer predicted"
expect_screen "│ dryer .*[0-9]%  *2.000/s  <- bottleneck *│" "script: the dryer measured, its capacity as it started"
$T send-keys -t dr q

# The run ends: the summary stays; --exit-when-done leaves by itself.
W=120 H=40 start "$DISHRACK --speed 20 handoff"
expect_screen "d/D dryer  w/W washer" "the lecture's stations: d and w in the key bar"
expect_screen "summary" "summary at the end" 15
expect_screen "conserved" "summary says conserved"
$T send-keys -t dr q
# The summary words each end of the line as its station: the bottleneck
# scene's last station is the stacker, which stacks (it said "dried").
W=120 H=40 start "$DISHRACK --clock virtual --speed 20 bottleneck"
expect_screen "12 washed, 12 stacked, 0 in racks" "summary: the stacker's dishes stacked" 15
expect_no_grep "$TMP/screen" "dishes  *[0-9]* washed, [0-9]* dried" "summary: nothing dried by a stacker"
$T send-keys -t dr q
# At 100x30 it covers the timeline: Esc or Enter puts it away, s brings
# it back.
W=100 H=30 start "$DISHRACK --clock virtual --speed 20 handoff"
expect_screen "─ summary ─" "100x30: the summary" 15
$T send-keys -t dr Escape
expect_screen "s shows the summary again" "Esc: the summary hidden"
expect_no_grep "$TMP/screen" "─ summary ─\|conserved" "Esc: no summary"
expect_screen "^dryer-1  *[█·▒]" "Esc: the timeline shows"
$T send-keys -t dr s
expect_screen "─ summary ─" "s: the summary again"
$T send-keys -t dr Enter
expect_screen "s shows the summary again" "Enter: the summary hidden"
expect_no_grep "$TMP/screen" "─ summary ─" "Enter: no summary"
$T send-keys -t dr q
# At 80x24 a summary taller than the screen folds its long rows under
# their figures and scrolls: its last line is a Page Down away.
# What is written to standard error under the screen (here ASan's
# warning about the virtual clock's swapcontext) goes to the key bar, not
# over the screen, and to the terminal once the screen is gone.
if [ "${SANITIZED:-none}" = asan ]; then
	W=100 H=30 start "$DISHRACK --clock virtual --speed 4 --exit-when-done robustness 2>$TMP/errcap"
	expect_screen "stderr: ==[0-9]*==WARNING" "ASan: its warning on the key bar"
	head -1 "$TMP/screen" | grep -q "^ dishrack " && ok ||
	    bad "ASan: the warning scrolled the screen: $(head -1 "$TMP/screen")"
	wait_status 30
	expect_grep "$TMP/errcap" "WARNING: ASan" "ASan: the warning on stderr at the end"
	$T send-keys -t dr q
fi
# A script's kill is no caption: the caption before it stays.
W=100 H=30 start "$DISHRACK --clock virtual --speed 2 robustness"
expect_screen "dryer-1 *killed" "robustness: the scripted kill"
expect_grep "$TMP/screen" "▶ kill -9 of dryer-1" "robustness: the caption stays over the kill"
expect_no_grep "$TMP/screen" "▶ dryer-1 *$" "robustness: the kill step is not a caption"
$T send-keys -t dr q
# A caption wider than the screen gets a second row, from the output's.
W=80 H=24 start "$DISHRACK --clock virtual pubsub"
expect_screen "^   persian\\. *$" "80x24: a long caption goes on on a second row"
$T send-keys -t dr q
W=80 H=24 start "$DISHRACK --clock virtual --speed 100 pubsub"
expect_screen "─ summary ─" "80x24: the summary" 15
expect_screen "more: PgDn, arrows" "80x24: the summary says there is more"
expect_no_grep "$TMP/screen" "dryer\|washer" \
    "pub and sub: the key bar names no dryer or washer"
expect_grep "$TMP/screen" "^│             conserved  *│$" \
    "80x24: a long row folds under its figures"
expect_no_grep "$TMP/screen" "q quit, r run again" "80x24: the hint is below"
$T send-keys -t dr NPage
expect_screen "q quit, r run again" "80x24: Page Down shows the end"
$T send-keys -t dr Home
expect_screen "== Publish-subscribe" "80x24: Home the top again"
$T send-keys -t dr q
# At most 30 frames a second, however fast the events come: 60 frames
# take two seconds at the least (a lower bound only: a slow machine is
# slower, never faster).
rm -f "$TMP/status"
t0=$(date +%s.%N)
W=120 H=40 start "$DISHRACK --max-frames 60 --set scenario.dishes=100000 --set washer.time=1ms --set dryer.time=1ms --set washer.say= --set dryer.say= seed-threads"
i=0; while [ ! -f "$TMP/status" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
t1=$(date +%s.%N)
if awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1.8) }'; then ok; else
	bad "60 frames in less than 1.8 s: more than 30 frames a second"; fi

# The bottleneck takes dishes in faster than it lets them out.
W=120 H=40 start "$DISHRACK --speed 4 bottleneck"
expect_screen "in 0\.[0-9]*/s  out 0\.[0-9]*/s" "stations' rates in and out"
$T send-keys -t dr q
W=120 H=40 start "$DISHRACK --speed 50 --exit-when-done bottleneck"
i=0; while [ ! -f "$TMP/status" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done
expect_grep "$TMP/status" "exit=0" "--exit-when-done leaves"

# SIGTERM: terminal restored, no child left behind (processes mode).
# The washer is slowed so that no dish reaches a dryer during the test:
# both dryers surely wait when D comes, however slow the machine (under
# ASan the screen took so long to come up that the second dryer already
# had a dish and, rightly, finished it before leaving).
rm -f "$TMP/status"
W=120 H=40 start "$DISHRACK --set washer.time=60s seed-processes"
expect_screen "Processes" "processes screen"
pid=$(pgrep -f "^$DISHRACK --set washer.time=60s seed-processes" | head -1)
kids=$(pgrep -P "$pid" | wc -l)
if [ "$kids" -ge 1 ]; then ok; else bad "no dryer process under the screen"; fi
kid=$(pgrep -P "$pid" | head -1)
expect_screen "dryer-1 .* done  pid $kid " "the dryer's row shows its pid"
# d forks a second dryer; D sends one that waits for a dish away at once.
$T send-keys -t dr d
expect_screen "dryer ×2" "d: a second dryer process"
if [ "$(pgrep -P "$pid" | wc -l)" -eq 2 ]; then ok; else
	bad "d: expected 2 dryer processes"; fi
$T send-keys -t dr D
expect_screen "dryer ×1" "D: back to one dryer" 2
i=0; while [ "$(pgrep -P "$pid" | wc -l)" -ne 1 ] && [ $i -lt 20 ]; do
	sleep 0.1; i=$((i + 1)); done
if [ "$(pgrep -P "$pid" | wc -l)" -eq 1 ]; then ok; else
	bad "D: the waiting dryer's process did not leave"; fi
kill -TERM "$pid"
i=0; while [ ! -f "$TMP/status" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
expect_grep "$TMP/status" "exit=143" "SIGTERM exit status"
if cmp -s "$TMP/stty.before" "$TMP/stty.after"; then ok; else
	bad "terminal modes differ after SIGTERM"; fi
sleep 0.3
if pgrep -P "$pid" >/dev/null 2>&1 || pgrep -f "^$DISHRACK --set washer.time=60s seed-processes" >/dev/null; then
	bad "processes left after SIGTERM"; else ok; fi

# A dryer process killed from outside shows as killed (not done), the one
# started in its place says whom it replaces, and the box counts restarts.
rm -f "$TMP/status"
W=120 H=40 start "$DISHRACK --set washer.time=3s seed-processes"
expect_screen "dryer-1 .* pid " "kill: the first dryer's row"
kill -KILL "$(pgrep -P "$(screen_pid)" | head -1)"
expect_screen "✗ dryer-1   killed" "kill: the killed dryer's row"
expect_screen "dryer-2   .*restarted for dryer-1 .* pid " "kill: its replacement"
expect_screen "restarts 1 " "kill: the station's restarts"
expect_screen "dryer ×1 " "kill: one dryer counted"
$T send-keys -t dr q

# Every signal whose default ends the process leaves the terminal as it
# was. The fatal ones end the screen as they would have (the guardian then
# dies of the same signal, so the shell sees 128+N); the others stop the run
# cleanly, as SIGTERM does (128+N too). SIGKILL cannot be caught: the
# guardian, the process the screen was forked from, puts it back. Ctrl-\
# is the real key, sent to the whole job.
for sig in QUIT TRAP SYS XCPU USR1 USR2 ALRM VTALRM PROF PWR STKFLT KILL \
    key-QUIT; do
	rm -f "$TMP/status"
	W=80 H=24 start "ulimit -c 0; $DISHRACK"
	expect_screen "| running" "$sig: the screen is up"
	pane=$($T display-message -p -t dr '#{pane_pid}')
	case $sig in
	key-QUIT) $T send-keys -t dr 'C-\'; num=$(env kill -l QUIT) ;;
	*) env kill -s "$sig" "$(screen_pid)"; num=$(env kill -l "$sig") ;;
	esac
	wait_status 10
	expect_grep "$TMP/status" "exit=$((128 + num))" "$sig: exit status"
	expect_restored "$sig"
	if pgrep -s "$pane" dishrack >/dev/null; then
		bad "$sig: a dishrack process outlived the screen"; else ok; fi
done

# The guardian is nobody's worker: the screen's children are its workers
# only, and a processes run's dryer is a child of the screen.
rm -f "$TMP/status"
W=120 H=40 start "$DISHRACK --set washer.time=60s seed-processes"
expect_screen "dryer-1 .* pid " "processes: a dryer's row"
spid=$(screen_pid)
kid=$(pgrep -P "$spid" | head -1)
if [ -n "$spid" ] && [ "$(pgrep -P "$spid" | wc -l)" -eq 1 ] &&
    [ "$(pgrep -P "$(guard_pid)" | wc -l)" -eq 1 ]; then ok; else
	bad "the guardian's one child is the screen, the screen's the dryer"; fi
kill -KILL "$spid"
wait_status 10
expect_grep "$TMP/status" "exit=137" "SIGKILL of a processes screen: status"
expect_restored "SIGKILL of a processes screen"
sleep 0.3
# Dead, or a zombie whose new parent has not reaped it yet.
if [ -n "$kid" ] && ! ps -o stat= -p "$kid" | grep -qv '^Z'; then ok; else
	bad "the dryer outlived its killed screen"; fi

# Headless: no guardian.
"$DISHRACK" --headless -q --speed 20 handoff >/dev/null 2>&1 &
hpid=$!
sleep 0.5
if [ "$(ps -o comm= -p "$hpid")" = dishrack ]; then ok; else
	bad "--headless forked a guardian"; fi
wait "$hpid"

# Ctrl-Z in a shell with job control: the terminal back, the run paused
# while stopped (its clock does not jump by the stop), fg redraws.
if command -v bash >/dev/null 2>&1; then
	W=100 H=30 start "bash --norc -i"
	$T send-keys -t dr "PS1='sh> '; $DISHRACK" Enter
	expect_screen "| running" "screen before Ctrl-Z"
	t1=$(grep -o 't=[0-9.]*s' "$TMP/screen" | tr -d 'ts=')
	$T send-keys -t dr C-z
	expect_screen "Stopped" "Ctrl-Z gives the shell back"
	sleep 5
	$T send-keys -t dr "fg" Enter
	expect_screen "| running" "fg redraws the screen"
	t2=$(grep -o 't=[0-9.]*s' "$TMP/screen" | tr -d 'ts=')
	if awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b - a < 3) }'; then
		ok; else bad "the clock ran while stopped: t=$t1 then t=$t2"; fi
	$T send-keys -t dr q
	expect_screen "^sh> " "q after fg leaves"
fi

# --big: each worker's bar on a line of its own, as wide as the box; the
# timeline and the output stay, with fewer rows (they used to go).
W=100 H=30 start "$DISHRACK --big --ascii"
expect_screen "washer-1" "big screen"
expect_screen "^|   ##*-*   |" "big: a wide bar under the worker"
expect_screen "^timeline" "big: the timeline stays"
expect_screen "^output" "big: the output stays"
expect_screen "^Washing salad" "big: the output's lines"
$T send-keys -t dr q

# async: the tasks are coroutines on the loop's one thread, and every
# row says so with the same thread id.
W=120 H=40 start "$DISHRACK async"
expect_screen "async | real clock" "async header"
expect_screen "dryer-2 .* done  tid [0-9]" "async rows show a thread id"
rows=$(grep -o 'tid [0-9]' "$TMP/screen" | wc -l)
tids=$(grep -o 'tid [0-9]*' "$TMP/screen" | sort -u | wc -l)
if [ "$rows" -eq 3 ] && [ "$tids" -eq 1 ]; then ok; else
	bad "async: $rows rows with $tids thread ids (want 3 rows, 1 id)"
	sed 's/^/  | /' "$TMP/screen" >&2; fi
$T send-keys -t dr q
# A computing dryer holds the loop, and the washer's timer fires late.
W=120 H=40 start "$DISHRACK --speed 2 --set dryer.work=cpu async"
expect_screen "dryer-1 .*LOOP" "async: the computing task holds the loop"
expect_screen "washer-1 .* late [0-9.]*s" "async: the washer's wait is late"
$T send-keys -t dr q

# F1 opens the help and F10 quits, as in htop.
rm -f "$TMP/status"
W=100 H=30 start "$DISHRACK"
expect_screen "| running" "F1: the screen is up"
$T send-keys -t dr F1
expect_screen "help: the run is paused" "F1 opens the help"
$T send-keys -t dr Escape
expect_screen "| running" "Esc closes the help"
$T send-keys -t dr F10
wait_status 10
expect_grep "$TMP/status" "exit=0" "F10 quits"

# Monochrome and ASCII still draw.
rm -f "$TMP/status"
W=100 H=30 start "NO_COLOR=1 $DISHRACK --ascii"
expect_screen "+-" "ascii boxes"
$T send-keys -t dr q

end_pane

# A pane that runs dishrack itself: the guardian leads the session, and a
# hang-up (the pane killed) goes to it alone. The screen must still leave
# (it once spun for ever on a terminal that was gone).
end_pane
n=$((n + 1))
T="tmux -S $TMP/tmux.$n.sock"
$T -f /dev/null new-session -d -s dr -x 120 -y 40 "$DISHRACK bottleneck"
wait_for "washer" 10
lead=$($T display-message -p -t dr '#{pane_pid}')
scr=$(pgrep -P "$lead" -x dishrack | head -1)
$T kill-server 2>/dev/null
i=0
while [ -n "$scr" ] && kill -0 "$scr" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ -z "$scr" ]; then bad "hang-up: no screen under the guardian"
elif kill -0 "$scr" 2>/dev/null; then
	bad "hang-up: the screen is still there 5 s after its terminal went"
	kill -KILL "$scr"
else ok; fi

# The GIL scene: four CPU-bound dryers, one GIL. Only one computes at a
# time, so the others are drawn waiting for it (their own glyph), in the
# rows and in the timeline, which says what its glyphs and the GIL row
# mean; the holder has the GIL token.
end_pane
W=100 H=30 start "$DISHRACK --speed 0.25 gil-cpu"
expect_screen "GIL held by" "GIL scene: the GIL row says what it is"
expect_screen "░ waiting for the GIL" "GIL scene: the timeline's legend"
expect_screen "output (as written, a whole line at a time)" "output = lines: the pane says so"
sleep 1; screen
[ "$(grep -c '│ ░ dryer-[1-4] ' "$TMP/screen")" -ge 2 ] && ok ||
    { bad "GIL scene: dryers waiting for the GIL drawn as waiting"; sed 's/^/  | /' "$TMP/screen" >&2; }
[ "$(grep -c '│ █ dryer-[1-4] .* GIL ' "$TMP/screen")" -le 1 ] && ok ||
    { bad "GIL scene: more than one dryer computing at once"; sed 's/^/  | /' "$TMP/screen" >&2; }
grep -E '^dryer-[1-4] ' "$TMP/screen" | grep -q '░' && ok ||
    bad "GIL scene: the timeline draws GIL waits as waits"
$T send-keys -t dr q

# H: the captions shown so far, with their times, when one went by too
# fast to read out.
end_pane
W=100 H=30 start "$DISHRACK --speed 4 bottleneck"
expect_screen "A second dryer" "captions: the third one came"
$T send-keys -t dr H
expect_screen "captions so far" "captions: H opens the list"
expect_screen "0.0s  The washer is fast" "captions: the first, with its time"
expect_screen "6.0s  Watch the rack in front of the dryer fill" "captions: the second"
$T send-keys -t dr H
sleep 0.3; screen
grep -q "captions so far" "$TMP/screen" && bad "captions: H again closes it" || ok
$T send-keys -t dr q

# A [script] pause is a barrier: a say at the same second waits for the
# resume, and does not replace the pause's caption meanwhile.
end_pane
printf '[scenario]\ndishes = 6\n[washer]\ntime = 500ms\n[dryer]\ntime = 1s\n[script]\n0s say Before\n2s pause Press space to go on\n2s say After the pause\n' >"$TMP/barrier.scn"
W=100 H=30 start "$DISHRACK $TMP/barrier.scn"
expect_screen "Press space to go on" "barrier: the pause's caption"
sleep 1; screen
grep -q 'After the pause' "$TMP/screen" && bad "barrier: a step after the pause ran while paused" || ok
$T send-keys -t dr ' '
expect_screen "After the pause" "barrier: the step after it, once resumed"
$T send-keys -t dr q

# The deadlock scene, frozen as it was found: each dryer's row says what
# it holds, what it waits for and who holds that (not "done"), the
# timeline's lock waits are waits, and the banner stays.
end_pane
W=200 H=50 start "$DISHRACK deadlock"
expect_screen "Esc hide" "deadlock: the summary"
$T send-keys -t dr Escape
expect_screen "╳ dryer-1   holds the towel, waits for the cloth, held by dryer-2" "deadlock: dryer-1's row"
expect_screen "╳ dryer-2   holds the cloth, waits for the towel, held by dryer-1" "deadlock: dryer-2's row"
expect_screen "╳ waiting for a lock" "deadlock: the timeline's legend"
expect_screen "DEADLOCK: dryer-1 waits for the cloth" "deadlock: the banner stays"
grep -q 'dryer-[12] *done' "$TMP/screen" && bad "deadlock: a dryer's row says done" || ok
grep -E '^dryer-[12] ' "$TMP/screen" | grep -q '╳' && ok || bad "deadlock: the timeline's lock waits"
$T send-keys -t dr q
# At 80 columns the banner goes on to a second row (it stopped at "waits
# for the t").
W=80 H=24 start "$DISHRACK deadlock"
expect_screen "─ summary ─" "80x24 deadlock: the summary"
$T send-keys -t dr Escape
expect_screen "^ DEADLOCK: dryer-1 waits for the cloth, held by dryer-2; dryer-2 waits for the" "80x24 deadlock: the banner's first row"
expect_screen "^ towel, held by dryer-1 *$" "80x24 deadlock: its second row"
$T send-keys -t dr q

# The race scene, paced to be watched: at x1 it still runs after its
# second caption (it was over in 0.6 s); a dryer's row shows the count
# it read while it puts the dish away, and a lost update says who read
# what (the engine's cupboard events).
end_pane
W=100 H=30 start "$DISHRACK --clock virtual race"
expect_screen "Without a lock, two dryers read the same count" "race: the second caption"
expect_screen "| running" "race: still running at its second caption"
expect_screen "│ █ dryer-[12]   dish-[0-9]*  *read [0-9]* " "race: the count a dryer read"
expect_screen "dryer-[12] read \([0-9]*\), dryer-[12] read \1, *│" "race: who read what" 15
expect_screen "both wrote [0-9]*: one update lost" "race: the lost update in words" 15
# The count of lost updates on the dryers' border, where the busy figure
# left it no room at 100 columns.
expect_screen "done cupboard [0-9]* (none) [1-9][0-9]* LOST " "race: LOST on the border" 15
# And in the timeline: each dryer's read-modify-write window as its own
# glyph, the two windows overlapping in time, and a mark at the write
# that went over the other's (tl_overlap prints what it found).
expect_screen "▓ read, not written  ! lost write" "race: the timeline's legend"
tl_overlap() {
	python3 - "$TMP/screen" <<'PY'
import sys
rows = {}
for l in open(sys.argv[1], encoding="utf-8"):
    for w in ("dryer-1", "dryer-2"):
        # The timeline's row (a name padded to 12), not the output's.
        if l.startswith(w + "     ") and w not in rows:
            rows[w] = l.rstrip("\n")[12:]
a, b = rows.get("dryer-1", ""), rows.get("dryer-2", "")
both = sum(1 for x, y in zip(a, b) if x == "\u2593" and y == "\u2593")
lost = [r for r in (a, b) if "\u2593!" in r]
print("overlap" if both else "no-overlap", "lost" if lost else "no-lost")
PY
}
i=0; got=""
while [ $i -lt 50 ]; do
	screen
	got=$(tl_overlap)
	[ "$got" = "overlap lost" ] && break
	sleep 0.1; i=$((i + 1))
done
[ "$got" = "overlap lost" ] && ok || { bad "race: the timeline's overlap and lost write ($got)"; sed 's/^/  | /' "$TMP/screen" >&2; }
$T send-keys -t dr q
# With a mutex, nobody overlaps and nothing is said lost.
W=100 H=30 start "$DISHRACK --clock virtual --speed 20 --set cupboard.lock=mutex race"
expect_screen "summary" "race, mutex: to the end" 15
$T send-keys -t dr Escape
expect_screen "s shows the summary again" "race, mutex: the summary hidden"
expect_no_grep "$TMP/screen" "update lost\|LOST" "race, mutex: nothing lost"
# The windows take turns: drawn, never at once, never a lost write.
[ "$(tl_overlap)" = "no-overlap no-lost" ] && grep -q '^dryer-[12] .*▓' "$TMP/screen" && ok ||
    { bad "race, mutex: the timeline's windows take turns ($(tl_overlap))"; sed 's/^/  | /' "$TMP/screen" >&2; }
$T send-keys -t dr q

# Live changes beyond counts and times, from the [script]: the cupboard's
# lock (none to mutex), the GIL (on to off), a rack's capacity.
end_pane
cat >"$TMP/live.scn" <<'EOF'
[scenario]
title  = Live changes
dishes = 12
rack   = 2
gil    = on
[washer]
time = 200ms
[dryer]
count = 2
time  = 1s
work  = cpu
[cupboard]
window = 300ms
[script]
2s  set cupboard.lock = mutex
2s  set scenario.gil = off
2s  set dryer.rack = unbounded
EOF
W=100 H=30 start "$DISHRACK --clock virtual --speed 4 $TMP/live.scn"
expect_screen "│ [0-2]/2 " "live: the rack holds two at first"
expect_screen "GIL held by" "live: the GIL at first"
expect_screen "cupboard [0-9]* (none" "live: no lock at first"
expect_screen "cupboard [0-9]* (mutex" "live: the script's mutex"
expect_screen "GIL off" "live: the script's GIL off"
expect_screen "│ [0-9]*/∞ " "live: the script's unbounded rack"
expect_screen "summary" "live: to the end" 15
expect_screen "lock none, then mutex" "live: the summary says both locks"
$T send-keys -t dr q
# The same from the keys: L the lock, G the GIL, { and } the rack in
# front of the selected station.
sed '/^\[script\]/,$d' "$TMP/live.scn" >"$TMP/keys.scn"
W=100 H=30 start "$DISHRACK --clock virtual --set scenario.dishes=60 $TMP/keys.scn"
expect_screen "cupboard [0-9]* (none" "keys: no lock at first"
$T send-keys -t dr L
expect_screen "the cupboard's lock is now mutex" "L: says so"
expect_screen "cupboard [0-9]* (mutex" "L: the mutex"
$T send-keys -t dr G
expect_screen "the GIL is off" "G: says so"
expect_screen "GIL off" "G: the GIL row"
$T send-keys -t dr '}'
expect_screen "the rack in front of dryer holds 3 now" "}: one more"
expect_screen "│ [0-9]/3 " "}: the rack's capacity"
$T send-keys -t dr '{' '{' '{'
expect_screen "the rack in front of dryer holds none (a hand-off)" "{: down to a hand-off"
expect_screen "│ hand-off │" "{: the hand-off drawn"
$T send-keys -t dr q
# The GIL switched on in a run that started without one: G, and the
# script's set, grow the GIL's row, and the dryers wait for it.
cat >"$TMP/nogil.scn" <<'EOF'
[scenario]
dishes = 40
gil    = off
cores  = 4
[washer]
time = 0
[dryer]
count = 4
time  = 1s
work  = cpu
EOF
W=100 H=30 start "$DISHRACK --clock virtual $TMP/nogil.scn"
expect_screen "│ █ dryer-[1-4] " "G on: the dryers compute at once"
expect_no_grep "$TMP/screen" "GIL held by\|│ ░ dryer" "G on: no GIL at first"
$T send-keys -t dr G
expect_screen "the GIL is on: from each worker's next dish" "G on: says so"
expect_screen "^GIL held by  *[1-4]" "G on: the GIL's row"
expect_screen "│ ░ dryer-[1-4] " "G on: a dryer waits for the GIL"
$T send-keys -t dr q
printf '%s\n' '[script]' '1s set scenario.gil = on' >>"$TMP/nogil.scn"
expect_exit 0 "script: the GIL on in a run without one" -- "$DISHRACK" --check "$TMP/nogil.scn"

# D marks the worker that will leave: both dryers are mid-dish (4 s to
# 6 s of the built-in scene), so one finishes its dish first, saying so.
W=100 H=30 start "$DISHRACK --clock virtual"
# (Both rows at work, not the header's time: ASan writes its warnings
# over the header of a virtual run.)
i=0; both=""
while [ $i -lt 100 ]; do
	screen
	[ "$(grep -c '│ █ dryer-[12]   [a-z]' "$TMP/screen")" -eq 2 ] && { both=1; break; }
	sleep 0.1; i=$((i + 1))
done
[ -n "$both" ] && ok || { bad "D: both dryers at work"; sed 's/^/  | /' "$TMP/screen" >&2; }
$T send-keys -t dr D
expect_screen "dryer-[12] leaves once its dish is done (marked LEAVING)" "D: says which"
expect_screen "│ █ dryer-[12]   [a-z]*  *LEAVING " "D: the row marked"
$T send-keys -t dr q

# Not a terminal: falls back to headless, says so.
expect_exit 0 "piped" -- sh -c "$DISHRACK --speed 50 handoff | cat"
expect_grep "$TMP/err" "running --headless" "fallback note"
expect_grep "$TMP/out" "conserved" "fallback summary"

expect_clean "after the screen"
finish
