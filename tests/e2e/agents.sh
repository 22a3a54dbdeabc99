#!/bin/bash
# agents.sh: dishrack agent, workers of a station in another program (on
# this host, as on another), joining a run through its Redis. The test
# starts its own redis-server on a free loopback port and stops it by its
# pid. Skipped where redis-server is not installed.
. "$(dirname "$0")/lib.sh"

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	echo "agents: redis-server or redis-cli not installed: skipped"
	exit 77
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$TMP/redis"
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$TMP/redis" --save '' \
    --appendonly no --daemonize no >"$TMP/redis/log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do
	redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break
	sleep 0.05
done
URL="redis://127.0.0.1:$PORT"
keys() { redis-cli -p "$PORT" --scan --pattern 'dishrack:*' | wc -l; }
run_args="--headless -q --json --set scenario.transport=$URL --set scenario.dishes=12 --set washer.time=200ms --set dryer.count=1 --set dryer.time=1s"

# wait_for PID SECONDS: 0 once it has ended, 1 if still there (then killed).
wait_for() {
	t=0
	while kill -0 "$1" 2>/dev/null && [ $t -lt $(($2 * 10)) ]; do
		sleep 0.1; t=$((t + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		pkill -KILL -P "$1"; kill -KILL "$1"; return 1; fi
	return 0
}

# 1. Two dryers join from an agent (threads, then processes): the run
# counts them, dries every dish once, and the agent prints its own lines.
for mode in threads $([ "$REDIS_FORKS" = yes ] && echo processes); do
	# shellcheck disable=SC2086
	"$DISHRACK" $run_args seed-threads >"$TMP/coord.json" 2>"$TMP/coord.err" &
	coord=$!
	sleep 0.7
	"$DISHRACK" agent "$URL" --station dryer --count 2 --mode "$mode" \
	    >"$TMP/agent.out" 2>"$TMP/agent.err" &
	agent=$!
	wait_for $coord 60 || bad "$mode: the run hung"
	wait "$coord"; rc=$?
	[ $rc = 0 ] && ok || { bad "$mode: the run exited $rc"; cat "$TMP/coord.err" >&2; }
	wait_for $agent 10 || bad "$mode: the agent did not leave"
	wait "$agent"; rc=$?
	[ $rc = 0 ] && ok || { bad "$mode: the agent exited $rc"; cat "$TMP/agent.err" >&2; }
	expect_grep "$TMP/coord.json" '"dishes_dried":12,"in_racks":0,"in_hands":0,"lost":0,"duplicated":0,"conserved":true' \
	    "$mode: the run with an agent conserved"
	expect_grep "$TMP/coord.json" '{"name":"dryer","count":3,' "$mode: three dryers counted"
	expect_grep "$TMP/agent.err" "^dishrack agent: 2 dryer on .*, joined the run on $URL/0" "$mode: the agent says it joined"
	expect_grep "$TMP/agent.out" "Drying" "$mode: the agent's workers print there"
	# The agent's workers appear with their dishes in the run's figures.
	n=$(grep -o '"name":"dryer-[23]","pid":[0-9]*,"dishes":[1-9]' "$TMP/coord.json" | wc -l)
	[ "$n" -ge 1 ] && ok || bad "$mode: the agent's dryers did no dish in the run's figures"
done
sleep 3.5		# the agents' pulses expire
[ "$(keys)" = 0 ] && ok || bad "keys left after agents: $(keys)"

# 2. Agents killed mid-dish, one by the run's script (kill agent laptop-b:
# it SIGKILLs itself), one with SIGKILL from here: their dishes go back,
# nothing is lost, their workers are counted killed, and the script's kill
# takes laptop-b only.
printf '[scenario]\ndishes = 12\n[washer]\ntime = 200ms\n[dryer]\ntime = 1s\n[script]\n2.5s kill agent laptop-b\n' >"$TMP/kill-agent.scn"
# shellcheck disable=SC2086
"$DISHRACK" $run_args "$TMP/kill-agent.scn" >"$TMP/coord.json" 2>"$TMP/coord.err" &
coord=$!
sleep 0.7
"$DISHRACK" agent "$URL" --station dryer --count 2 --name laptop-b >"$TMP/agent.out" 2>"$TMP/agent.err" &
agent=$!
"$DISHRACK" agent "$URL" --station dryer --name laptop-c >"$TMP/agent2.out" 2>&1 &
agent2=$!
# An agent by hand (redis-cli), slow to its first pulse: the run's lost
# check reads pulses every second, and one not yet written is no death
# (the flake of 2c, where a subscriber's first pulse came late). It
# pulses 1.8 s after its join, then leaves: never killed.
prefix=$(redis-cli -p "$PORT" get dishrack:current)
redis-cli -p "$PORT" rpush "${prefix}joins" "slow:1 dryer 1 slowhost" >/dev/null
slot=""
for _ in $(seq 40); do
	slot=$(redis-cli -p "$PORT" get "${prefix}join:slow:1" | cut -d' ' -f3)
	[ -n "$slot" ] && break
	sleep 0.05
done
[ -n "$slot" ] && ok || bad "a slow agent: the run did not answer its join"
sleep 1.8
redis-cli -p "$PORT" set "dishrack-pulse:${prefix#dishrack:}agent:slow:1" 1 px 3000 >/dev/null
redis-cli -p "$PORT" xadd "${prefix}ev" '*' w "$slot" k 8 d 4294967295 a 0 t 2000000000 >/dev/null
sleep 0.2
kill -KILL "$agent2"; wait "$agent2" 2>/dev/null
wait_for $agent 10 || bad "kill agent: laptop-b stayed"
wait "$agent"; rc=$?
[ $rc = 137 ] && ok || bad "kill agent: laptop-b exited $rc, wanted 137 (SIGKILL)"
expect_grep "$TMP/agent.err" "killed by the run (kill agent): SIGKILL" "kill agent: the agent says why it died"
wait_for $coord 60 || bad "killed agents: the run hung"
wait "$coord"; rc=$?
[ $rc = 0 ] && ok || { bad "killed agents: the run exited $rc"; cat "$TMP/coord.err" >&2; }
expect_grep "$TMP/coord.json" '"dishes_dried":12,"in_racks":0,"in_hands":0,"lost":0,"duplicated":0,"conserved":true' \
    "killed agents: nothing lost"
expect_grep "$TMP/coord.json" '{"name":"dryer","count":5,[^}]*"killed":3,' "killed agents: their three dryers killed, not the slow one"

# 2b. On the screen: an agent's workers under their host with their pids,
# each with its bar, and marked lost once K has killed the agent.
if command -v tmux >/dev/null; then
	T="tmux -S $TMP/tmux.sock"
	# shellcheck disable=SC2086
	$T new-session -d -x 160 -y 40 "$DISHRACK --set scenario.transport=$URL \
	    --set scenario.dishes=30 --set washer.time=200ms --set dryer.count=1 \
	    --set dryer.time=1500ms seed-threads"
	sleep 0.8
	"$DISHRACK" agent "$URL" --station dryer --count 2 --name laptop-b \
	    >"$TMP/agent.out" 2>&1 &
	agent=$!
	shown=""
	for _ in $(seq 40); do
		sleep 0.1
		$T capture-pane -p >"$TMP/screen"
		grep -q 'dryer-[23] .*█.* [0-9]*@laptop-b' "$TMP/screen" && { shown=1; break; }
	done
	[ -n "$shown" ] && ok || { bad "screen: an agent's worker with its bar and pid@host"; cat "$TMP/screen" >&2; }
	# K on the dryers (selected first): dryer-1 here and the agent's
	# host process, which SIGKILLs itself.
	$T send-keys K
	sleep 0.3
	$T capture-pane -p >"$TMP/screen"
	grep -q 'killed every dryer here, agent laptop-b (SIGKILL): lost when its pulse stops' "$TMP/screen" &&
	    ok || { bad "screen: K says it killed the agent"; cat "$TMP/screen" >&2; }
	wait_for $agent 5 || bad "screen: K left the agent running"
	wait "$agent"; rc=$?
	[ $rc = 137 ] && ok || bad "screen: K: the agent exited $rc, wanted 137 (SIGKILL)"
	shown=""
	for _ in $(seq 80); do
		sleep 0.1
		$T capture-pane -p >"$TMP/screen"
		[ "$(grep -c 'dryer-[23] *lost' "$TMP/screen")" = 2 ] &&
		    grep -q 'dryer-1 *killed' "$TMP/screen" && { shown=1; break; }
	done
	[ -n "$shown" ] && ok || { bad "screen: K: the agent's workers lost, dryer-1 killed"; cat "$TMP/screen" >&2; }
	$T kill-server 2>/dev/null
	sleep 3.5	# the agent's pulse expires
fi

# 2c. A broadcast: an agent's subscriber joins the run's publish-subscribe
# (its own SUBSCRIBE on the run's Redis); the run's books count it as
# their own, received and missed (it came a second late: the slow joiner),
# the fan-out pane shows it, and the summary. (Its first pulse comes after
# the run has it in its books: once read as a death, see section 2.)
printf '[scenario]\ndishes = 24\n[rack]\nkind = broadcast\ntopics = a, b, c\npick = order\n[pub]\ntime = 150ms\n[sub]\nsubscribe = a, b\ntime = 0\nsay = got {dish} on {topic}\n' >"$TMP/bcast.scn"
if command -v tmux >/dev/null; then
	T="tmux -S $TMP/tmux.sock"
	$T new-session -d -x 120 -y 40 "$DISHRACK --set scenario.transport=$URL $TMP/bcast.scn"
	sleep 1
	"$DISHRACK" agent "$URL" --station sub --name laptop-s >"$TMP/agent.out" 2>"$TMP/agent.err" &
	agent=$!
	shown=""
	for _ in $(seq 40); do
		sleep 0.1
		$T capture-pane -p >"$TMP/screen"
		grep -q 'sub-2 *(a, b) *got [1-9][0-9]* *missed [1-9][0-9]* ([1-9][0-9]* late' "$TMP/screen" && { shown=1; break; }
	done
	[ -n "$shown" ] && ok || { bad "broadcast: the fan-out shows the agent's subscriber, got and missed"; cat "$TMP/screen" >&2; }
	wait_for $agent 15 || bad "broadcast: the agent stayed"
	wait "$agent"; rc=$?
	[ $rc = 0 ] && ok || { bad "broadcast: the agent exited $rc"; cat "$TMP/agent.err" >&2; }
	shown=""
	for _ in $(seq 30); do
		sleep 0.1
		$T capture-pane -p >"$TMP/screen"
		grep -q 'subscriber  sub-2 (a, b): [0-9]* of 16 received, [1-9][0-9]* missed' "$TMP/screen" && { shown=1; break; }
	done
	[ -n "$shown" ] && ok || { bad "broadcast: the summary counts the agent's subscriber"; cat "$TMP/screen" >&2; }
	grep -q 'subscriber  sub-1 (a, b): 16 of 16 received, 0 missed' "$TMP/screen" && ok || bad "broadcast: our own subscriber beside it"
	grep -q 'received, [0-9]* missed: conserved' "$TMP/screen" && ok || bad "broadcast: conserved"
	grep -q 'published before it subscribed at .* (slow joiner)' "$TMP/screen" && ok || bad "broadcast: its missed ones are the slow joiner's"
	n=$(grep -c '^got' "$TMP/agent.out")
	grep -q "subscriber  sub-2 (a, b): $n of 16 received" "$TMP/screen" && ok ||
	    bad "broadcast: the agent printed $n, the books say otherwise"
	$T send-keys q
	sleep 0.3
	$T kill-server 2>/dev/null
fi

# 2d. sync = yes waits for an agent's subscriber too (--wait-agents 1):
# it joins a second and a half late and misses nothing; without the
# wait, the eight messages were all out before it came.
sed 's/^pick = order$/pick = order\nsync = yes/; s/^dishes = 24$/dishes = 8/' \
    "$TMP/bcast.scn" >"$TMP/bsync.scn"
"$DISHRACK" --headless --wait-agents 1 --set scenario.transport=$URL \
    "$TMP/bsync.scn" >"$TMP/coord.out" 2>"$TMP/coord.err" &
coord=$!
sleep 1.5
"$DISHRACK" agent "$URL" --station sub --name laptop-s >"$TMP/agent.out" 2>"$TMP/agent.err" &
agent=$!
wait_for $coord 30 || bad "wait-agents: the run hung"
wait "$coord"; rc=$?
[ $rc = 0 ] && ok || { bad "wait-agents: the run exited $rc"; cat "$TMP/coord.err" >&2; }
wait_for $agent 10 || bad "wait-agents: the agent stayed"
expect_grep "$TMP/coord.out" "subscriber  sub-2 (a, b): 6 of 6 received, 0 missed" \
    "wait-agents: the agent's subscriber missed nothing"
expect_grep "$TMP/coord.out" "subscriber  sub-1 (a, b): 6 of 6 received, 0 missed" \
    "wait-agents: nor ours"
n=$(grep -c '^got' "$TMP/agent.out")
[ "$n" = 6 ] && ok || bad "wait-agents: the agent printed $n, wanted 6"
# What it refuses, with one line each.
expect_exit 2 "wait-agents, no sync" -- "$DISHRACK" --headless --wait-agents 1 \
    --set scenario.transport=$URL "$TMP/bcast.scn"
expect_grep "$TMP/err" "bcast.scn's broadcast does not wait for its subscribers: add sync = yes" \
    "wait-agents, no sync: said"
expect_exit 2 "wait-agents, local racks" -- "$DISHRACK" --headless --wait-agents 1 "$TMP/bsync.scn"
expect_grep "$TMP/err" "no agent can join this run" "wait-agents, local racks: said"
expect_exit 2 "wait-agents, no broadcast" -- "$DISHRACK" --headless --wait-agents 1 \
    --set scenario.transport=$URL seed-threads
expect_grep "$TMP/err" "has no broadcast" "wait-agents, no broadcast: said"
expect_exit 2 "wait-agents, a matrix" -- "$DISHRACK" --headless --wait-agents 1 \
    --matrix 'sub.count=1,2' --set scenario.transport=$URL "$TMP/bsync.scn"
expect_grep "$TMP/err" "is of one run, not of a --matrix" "wait-agents, a matrix: said"
expect_exit 2 "wait-agents 0" -- "$DISHRACK" --headless --wait-agents 0 "$TMP/bsync.scn"
expect_grep "$TMP/err" "expected a whole number from 1 to 1024, found '0'" "wait-agents 0: said"

# 3. The coordinator killed: the agent notices and leaves, exit 1.
# shellcheck disable=SC2086
"$DISHRACK" $run_args --set dryer.time=3s seed-threads >/dev/null 2>&1 &
coord=$!
sleep 0.7
"$DISHRACK" agent "$URL" --station dryer >"$TMP/agent.out" 2>"$TMP/agent.err" &
agent=$!
sleep 1.5
kill -KILL "$coord"; wait "$coord" 2>/dev/null
wait_for $agent 15 || bad "coordinator gone: the agent stayed"
wait "$agent"; rc=$?
[ $rc = 1 ] && ok || bad "coordinator gone: the agent exited $rc, wanted 1"
expect_grep "$TMP/agent.err" "the run's coordinator is gone" "coordinator gone: said"

# 4. The lecture in two terminals: the washer's program here, the dryer
# an agent (where = agents: no dryer runs with the washer); each prints
# its own side of the lecture's lines.
"$DISHRACK" --headless --set dryer.where=agents --set "scenario.transport=$URL" \
    --speed 2 redis-queue >"$TMP/washer.out" 2>"$TMP/washer.err" &
coord=$!
sleep 0.3
"$DISHRACK" agent "$URL" --station dryer >"$TMP/dryer.out" 2>"$TMP/dryer.err" &
agent=$!
wait_for $coord 30 || bad "two programs: the washer's run hung"
wait "$coord"; rc=$?
[ $rc = 0 ] && ok || { bad "two programs: the washer's run exited $rc"; cat "$TMP/washer.err" >&2; }
wait_for $agent 10 || bad "two programs: the dryer stayed"
wait "$agent"
sed '/^== /,$d' "$TMP/washer.out" | sed '/^$/d' >"$TMP/washer.words"
printf 'Washer is starating\nWashed salad\nWashed bread\nWashed entree\nWashed dessert\nWasher is done\n' >"$TMP/washer.want"
cmp -s "$TMP/washer.words" "$TMP/washer.want" && ok || { bad "two programs: the washer's lines"; diff "$TMP/washer.words" "$TMP/washer.want" >&2; }
printf 'Dryer is starting\nDried salad\nDried bread\nDried entree\nDried dessert\nDishes are dried\n' >"$TMP/dryer.want"
cmp -s "$TMP/dryer.out" "$TMP/dryer.want" && ok || { bad "two programs: the dryer's lines"; diff "$TMP/dryer.out" "$TMP/dryer.want" >&2; }
expect_grep "$TMP/washer.out" "4 dried, 0 in racks, 0 in hands: conserved" "two programs: conserved"

# 5. What an agent refuses, each with one line.
expect_exit 1 "a run that has ended" -- "$DISHRACK" agent "$URL" --station dryer
expect_grep "$TMP/err" "has ended\|no dishrack run is open there" "a run that has ended: said"
# shellcheck disable=SC2086
"$DISHRACK" $run_args --set dryer.time=2s seed-threads >/dev/null 2>&1 &
coord=$!
sleep 0.7
expect_exit 1 "no such station" -- "$DISHRACK" agent "$URL" --station folder
expect_grep "$TMP/err" "the run has no station 'folder'" "no such station: said"
expect_exit 1 "the first station" -- "$DISHRACK" agent "$URL" --station washer
expect_grep "$TMP/err" "the first station takes its dishes from the pile" "the first station: said"
expect_exit 2 "a count of 0" -- "$DISHRACK" agent "$URL" --station dryer --count 0
expect_exit 2 "no station given" -- "$DISHRACK" agent "$URL"
kill -TERM "$coord"; wait "$coord" 2>/dev/null
redis-cli -p "$PORT" set dishrack:current dishrack:old: >/dev/null
redis-cli -p "$PORT" hset dishrack:old:info version 0.0.1 state running >/dev/null
expect_exit 1 "another version" -- "$DISHRACK" agent "$URL" --station dryer
expect_grep "$TMP/err" "the run is of dishrack 0.0.1, this is " "another version: said"
redis-cli -p "$PORT" del dishrack:current dishrack:old:info >/dev/null
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_exit 1 "no server" -- "$DISHRACK" agent "redis://127.0.0.1:$dead" --station dryer
expect_grep "$TMP/err" "Connection refused" "no server: said"

expect_clean "after agents"
finish
