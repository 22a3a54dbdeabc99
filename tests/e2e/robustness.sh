#!/bin/bash
# robustness.sh: kills staged by the [script] and made by k and K on the
# screen, on every executor: what a killed worker held goes back (or, in
# the plain queue, is lost and counted), a replacement starts, the figures
# say so, and nothing is left behind.
. "$(dirname "$0")/lib.sh"

json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. A kill naming what does not exist is an error at its place.
printf '[washer]\n[dryer]\ncount = 2\n[script]\n1s kill drier-2\n' >"$TMP/typo.scn"
expect_exit 2 "kill a typo" -- "$DISHRACK" --check "$TMP/typo.scn"
expect_grep "$TMP/err" "typo.scn:5:9: no station or worker 'drier-2', did you mean dryer-2?" "kill a typo: where, and the suggestion"
printf '[washer]\n[dryer]\ncount = 2\n[script]\n1s kill dryer-3\n' >"$TMP/many.scn"
expect_exit 2 "kill a worker beyond the count" -- "$DISHRACK" --check "$TMP/many.scn"
expect_grep "$TMP/err" "many.scn:5:9: no worker 'dryer-3': dryer has at most 2 by then" "kill beyond the count: says the most"
printf '[washer]\n[dryer]\ncount = 2\n[script]\n1s set dryer.count = 3\n2s kill dryer-3\n' >"$TMP/more.scn"
expect_exit 0 "kill a worker a set made" -- "$DISHRACK" --check "$TMP/more.scn"
printf '[washer]\n[dryer]\n[script]\n1s kill\n' >"$TMP/none.scn"
expect_exit 2 "kill nothing" -- "$DISHRACK" --check "$TMP/none.scn"
expect_grep "$TMP/err" "none.scn:4:4: expected a worker (dryer-2) or a station after kill" "kill nothing: what is expected"
# kill agent NAME: one word, and only where agents can join; an agent
# that is not there when the step comes is said, at the step.
printf '[washer]\n[dryer]\n[script]\n1s kill agent\n' >"$TMP/ka.scn"
expect_exit 2 "kill agent, no name" -- "$DISHRACK" --check "$TMP/ka.scn"
expect_grep "$TMP/err" "ka.scn:4:14: expected an agent's name (its --name or host, as the screen shows it) after kill agent, found nothing" "kill agent, no name: what is expected"
printf '[washer]\n[dryer]\n[script]\n1s kill agent laptop b\n' >"$TMP/ka.scn"
expect_exit 2 "kill agent, two words" -- "$DISHRACK" --check "$TMP/ka.scn"
expect_grep "$TMP/err" "ka.scn:4:15: expected one name after kill agent" "kill agent, two words: where"
printf '[scenario]\ndishes = 2\n[washer]\ntime = 1s\n[dryer]\n[script]\n1s kill agent laptop-b\n' >"$TMP/ka.scn"
expect_exit 2 "kill agent, local racks" -- "$DISHRACK" --check "$TMP/ka.scn"
expect_grep "$TMP/err" "ka.scn:7:15: kill agent: no agent can join this run: its racks are the run's own memory" "kill agent, local racks: why"
expect_exit 2 "kill agent, a private Redis" -- "$DISHRACK" --check --set scenario.transport=redis "$TMP/ka.scn"
expect_grep "$TMP/err" "ka.scn:7:15: kill agent: no agent can join this run: its racks are in a private redis-server" "kill agent, a private Redis: why"
expect_exit 0 "kill agent, racks in a Redis at an address" -- "$DISHRACK" --check \
    --set scenario.transport=redis://127.0.0.1:6379 "$TMP/ka.scn"
expect_exit 1 "kill agent, nobody joined" -- "$DISHRACK" --headless -q --clock virtual \
    --set scenario.transport=redis://127.0.0.1:6379 "$TMP/ka.scn"
expect_grep "$TMP/err" "ka.scn:7:15: kill agent laptop-b: no agent laptop-b in this run (on the virtual clock" "kill agent, nobody joined: said at the step"
expect_grep "$TMP/out" "2 dried, 0 in racks, 0 in hands: conserved" "kill agent, nobody joined: the run carries on"

# 2. The virtual clock: the same kills, the same summary, every run.
expect_exit 0 "robustness, virtual" -- "$DISHRACK" --headless -q --clock virtual robustness
# (but for the wall time it took)
sed 's/, [0-9.]* s wall//' "$TMP/out" >"$TMP/first"
expect_exit 0 "robustness, virtual, again" -- "$DISHRACK" --headless -q --clock virtual robustness
sed 's/, [0-9.]* s wall//' "$TMP/out" >"$TMP/second"
cmp -s "$TMP/second" "$TMP/first" && ok || { bad "robustness: two virtual runs differ"; diff "$TMP/first" "$TMP/second" >&2; }
expect_grep "$TMP/out" "6 dried, 0 in racks, 0 in hands: conserved" "robustness: nothing lost"
expect_grep "$TMP/out" "^killed      dryer: 2 killed, 2 restarted, 2 dishes put back; next dish 0.500 s after a kill (mean), 0.500 s at most$" \
    "robustness: kills, put-backs and recovery counted"
expect_exit 1 "robustness, plain queue" -- "$DISHRACK" --headless -q --clock virtual \
    --set rack.reliable=no robustness
expect_grep "$TMP/out" "NOT conserved (2 lost, 0 duplicated)" "plain queue: the loss counted"
expect_grep "$TMP/out" "2 dishes LOST with their takers" "plain queue: lost with the killed"
expect_exit 1 "the matrix of both" -- "$DISHRACK" --headless --clock virtual \
    --matrix 'rack.reliable=yes,no' robustness
[ "$(grep -c 'NOT conserved' "$TMP/out")" = 1 ] && grep -q '^no .*NOT conserved' "$TMP/out" &&
    ok || { bad "matrix: only the plain queue's row loses"; cat "$TMP/out" >&2; }
expect_exit 0 "robustness, JSON" -- "$DISHRACK" --headless -q --json --clock virtual robustness
got=$(json "$TMP/out" '[(s["killed"], s["restarts"], s["put_back"], s["lost_with_killed"]) for s in j["stations"]]')
[ "$got" = "[(0, 0, 0, 0), (2, 2, 2, 0)]" ] && ok || bad "JSON: kills per station: $got"

# 3. Every executor, on the real clock: processes are SIGKILLed, threads
# and tasks crash; nothing lost where the rack is reliable, the loss
# counted where it is not, and no process left.
# (Under ASan the threads only: the sanitizer's seconds buy nothing more.)
modes="threads processes async"
[ "${SANITIZED:-none}" = none ] || modes=threads
for mode in $modes; do
	expect_exit 0 "$mode: kills, reliable" -- "$DISHRACK" --headless -q --json \
	    --speed 4 --set scenario.mode=$mode robustness
	got=$(json "$TMP/out" '(j["conserved"], j["lost"], j["stations"][1]["killed"], j["stations"][1]["restarts"], j["stations"][1]["put_back"])')
	[ "$got" = "(True, 0, 2, 2, 2)" ] && ok || bad "$mode reliable: conserved, lost, killed, restarts, put back: $got"
	expect_exit 1 "$mode: kills, plain queue" -- "$DISHRACK" --headless -q --json \
	    --speed 4 --set scenario.mode=$mode --set rack.reliable=no robustness
	got=$(json "$TMP/out" '(j["conserved"], j["lost"], j["stations"][1]["lost_with_killed"])')
	[ "$got" = "(False, 2, 2)" ] && ok || bad "$mode plain: conserved, lost, lost with the killed: $got"
done
# The same script's kills over the ZeroMQ rack: reliable, the keeper
# sends a killed taker's dish again; plain PUSH/PULL loses the dish in its
# hand and those ZeroMQ had queued for it, counted apart from the hand's.
if "$DISHRACK" --check --set scenario.transport=zmq robustness 2>/dev/null; then
	mkdir -p "$TMP/z"
	for mode in threads $([ "$REDIS_FORKS" = yes ] && echo processes); do
		expect_exit 0 "zmq $mode: kills, reliable" -- env TMPDIR="$TMP/z" timeout 60 \
		    "$DISHRACK" --headless -q --json --speed 8 --set scenario.mode=$mode \
		    --set scenario.transport=zmq robustness
		got=$(json "$TMP/out" '(j["conserved"], j["lost"], j["dishes_dried"], j["stations"][1]["killed"], j["stations"][1]["restarts"], j["stations"][1]["put_back"])')
		[ "$got" = "(True, 0, 6, 2, 2, 2)" ] && ok || bad "zmq $mode reliable: conserved, lost, dried, killed, restarts, put back: $got"
		expect_exit 1 "zmq $mode: kills, plain" -- env TMPDIR="$TMP/z" timeout 60 \
		    "$DISHRACK" --headless -q --json --speed 8 --set scenario.mode=$mode \
		    --set scenario.transport=zmq --set rack.reliable=no robustness
		got=$(json "$TMP/out" '(j["conserved"], j["lost"] >= 2, j["lost"] + j["dishes_dried"], j["stations"][1]["killed"], j["stations"][1]["lost_with_killed"])')
		[ "$got" = "(False, True, 6, 2, 2)" ] && ok || bad "zmq $mode plain: conserved, lost >= 2, lost + dried, killed, lost with the killed: $got"
	done
	expect_exit 1 "zmq: plain, in words" -- env TMPDIR="$TMP/z" timeout 60 \
	    "$DISHRACK" --headless -q --speed 8 --set scenario.transport=zmq \
	    --set scenario.mode=threads --set rack.reliable=no robustness
	expect_grep "$TMP/out" "2 dishes LOST with their takers" "zmq plain: the hands' dishes lost"
	expect_grep "$TMP/out" "[0-9]* lost with the takers that died (in their hands, or queued for them by ZeroMQ)" \
	    "zmq plain: and what ZeroMQ had queued for them"
	[ -z "$(ls "$TMP/z")" ] && ok || bad "zmq kills: ipc directories left: $(ls "$TMP/z")"
fi
# A worker killed while blocked crashes at once, not when its wait ends:
# a washer waiting for room in a full rack (room comes at 5 s), a dryer
# waiting for a named lock (free at 4 s), a dryer waiting for the GIL.
# What it held goes back: the washer's dish to the pile. (The virtual
# clock's GIL records its waits as the real clock's does.)
printf '[scenario]\ndishes = 3\nrack = 1\n[washer]\ntime = 1s\n[dryer]\ntime = 4s\n[script]\n3.5s kill washer-1\n' >"$TMP/full.scn"
printf '[scenario]\ndishes = 2\n[washer]\ntime = 0\n[dryer]\ntime = 4s\nneeds = towel\n[script]\n0.5s set dryer.count = 2\n2s kill dryer-2\n' >"$TMP/lock.scn"
printf '[scenario]\ndishes = 2\ngil = on\n[washer]\ntime = 0\n[dryer]\ncount = 2\ntime = 2s\nwork = cpu\n[script]\n1s kill dryer-2\n' >"$TMP/gil.scn"
# exit_at RECORDING WORKER: the time of its exit, and whether it waited
# (for room, a lock, the GIL) before.
exit_at() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
names, waited, at = {}, 0, None
for line in open(sys.argv[1]):
    x = json.loads(line)
    if isinstance(x, dict):
        if "worker" in x and "name" in x:
            names[x["worker"]] = x["name"]
        continue
    if names.get(x[1]) != sys.argv[2]:
        continue
    if x[3] in ("wait-put", "wait-lock", "wait-gil"):
        waited = 1
    if x[3] == "exit" and at is None:
        at = x[0] / 1e9
print("%.3f %d" % (at if at is not None else -1, waited))
EOF
}
for c in "full washer-1 3.5 1" "lock dryer-2 2 1" "gil dryer-2 1 1"; do
	set -- $c
	expect_exit 0 "$1: killed while blocked, virtual" -- "$DISHRACK" --headless -q \
	    --clock virtual --record "$TMP/$1.jsonl" "$TMP/$1.scn"
	expect_grep "$TMP/out" "conserved" "$1: virtual: what it held went back"
	got=$(exit_at "$TMP/$1.jsonl" "$2")
	[ "$got" = "$(printf '%.3f %d' "$3" "$4")" ] && ok || bad "$1: virtual: $2 should crash at $3 s, having waited: $got"
	expect_exit 0 "$1: killed while blocked, threads" -- timeout 60 "$DISHRACK" --headless -q \
	    --speed 8 --record "$TMP/$1.jsonl" "$TMP/$1.scn"
	got=$(exit_at "$TMP/$1.jsonl" "$2")
	# Within 0.3 s of scenario time (40 ms at speed 8) of the kill.
	awk -v g="${got% *}" -v k="$3" 'BEGIN { exit !(g >= k && g < k + 0.3) }' && [ "${got#* }" = 1 ] &&
	    ok || bad "$1: threads: $2 should crash at once at $3 s, having waited: $got"
done
# A full rack in Redis: the refused putter looks at its hand every 20 ms
# slice (0.16 s of the run at speed 8), not when room comes at 5 s.
if command -v redis-server >/dev/null; then
	mkdir -p "$TMP/t"
	expect_exit 0 "full: killed while blocked, Redis" -- env TMPDIR="$TMP/t" timeout 60 \
	    "$DISHRACK" --headless -q --speed 8 --set scenario.transport=redis \
	    --record "$TMP/full.jsonl" "$TMP/full.scn"
	expect_grep "$TMP/out" "conserved" "full: Redis: the washer's dish went back"
	got=$(exit_at "$TMP/full.jsonl" washer-1)
	awk -v g="${got% *}" 'BEGIN { exit !(g >= 3.5 && g < 4.5) }' && [ "${got#* }" = 1 ] &&
	    ok || bad "full: Redis: washer-1 should crash within a slice of 3.5 s, having waited: $got"
fi

pgrep -f 'dishrack.*robustness' >/dev/null && bad "processes left behind" || ok
expect_clean "after the kills"

# 4. The broker killed (SIGKILL of the run's private redis-server) and
# started again by the script: the workers say so once, ride it out, and
# the server's append-only file loses nothing. Said in Korean here, where
# a build with NLS has it (redis.sh checks the English words).
if command -v redis-server >/dev/null; then
	if [ "${USE_NLS:-no}" = yes ]; then
		KO="env -u LC_MESSAGES LANG=C.UTF-8 LANGUAGE=ko"
		down="응답 없음: 작업자들이 최대 [0-9]*초 동안 다시 시도합니다"
		back="다시 응답함 ([0-9.]*초 뒤)"
	else
		KO=env
		down="does not answer; the workers retry"
		back="answers again, after"
	fi
	printf '[scenario]\ntransport = redis\ndishes = 20\n[washer]\ntime = 100ms\n[dryer]\ncount = 2\ntime = 300ms\n[script]\n1s kill broker\n2s restart broker\n' >"$TMP/broker.scn"
	mkdir -p "$TMP/t"
	for mode in threads $([ "$REDIS_FORKS" = yes ] && echo processes); do
		expect_exit 0 "$mode: broker killed and restarted" -- $KO TMPDIR="$TMP/t" \
		    "$DISHRACK" --headless -q --json --set scenario.mode=$mode "$TMP/broker.scn"
		got=$(json "$TMP/out" '(j["conserved"], j["lost"], j["dishes_dried"])')
		[ "$got" = "(True, 0, 20)" ] && ok || bad "$mode broker: conserved, lost, dried: $got"
		expect_grep "$TMP/err" "(private) $down" "$mode broker: the outage said"
		expect_grep "$TMP/err" "(private) $back" "$mode broker: its end said"
		[ -z "$(ls "$TMP/t")" ] && ok || bad "$mode broker: the server's files left: $(ls -R "$TMP/t")"
	done
	printf '[scenario]\ntransport = redis\n[washer]\n[dryer]\n[script]\n1s restart brokr\n' >"$TMP/brokr.scn"
	expect_exit 2 "restart a typo" -- "$DISHRACK" --check "$TMP/brokr.scn"
	expect_grep "$TMP/err" "brokr.scn:6:12: expected broker after restart" "restart a typo: where"
fi

# 5. On the screen: k kills one of the selected station's workers (the
# dryers are selected first), K all of them; the rows say killed, where
# the dish went, and who was started in their place.
if command -v tmux >/dev/null; then
	T="tmux -S $TMP/tmux.sock"
	for mode in threads processes; do
		$T new-session -d -x 120 -y 40 "$DISHRACK --set scenario.mode=$mode --set scenario.dishes=12 seed-threads"
		sleep 4.5
		$T send-keys k
		shown=""
		for _ in $(seq 30); do
			sleep 0.1
			$T capture-pane -p >"$TMP/screen"
			grep -q 'dryer-1 *killed, dish-[0-9]* back in the rack' "$TMP/screen" &&
			    grep -q 'dryer-3 .*restarted for dryer-1\|dryer-3 .*restarted' "$TMP/screen" &&
			    { shown=1; break; }
		done
		[ -n "$shown" ] && ok || { bad "$mode: k on the screen: killed, the dish back, restarted"; cat "$TMP/screen" >&2; }
		grep -q 'killed a dryer' "$TMP/screen" && ok || bad "$mode: k says what a kill is"
		$T send-keys K
		sleep 1
		$T capture-pane -p >"$TMP/screen"
		[ "$(grep -c 'killed' "$TMP/screen")" -ge 3 ] && ok || { bad "$mode: K kills the station's workers"; cat "$TMP/screen" >&2; }
		$T send-keys q
		sleep 0.5
		$T kill-server 2>/dev/null
	done
fi
finish
