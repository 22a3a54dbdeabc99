#!/bin/bash
# zmq.sh: racks over ZeroMQ (libzmq), ipc:// in the run's private
# directory and tcp://127.0.0.1 on a free port. The same summaries as
# local racks; reliable racks under SIGKILL of worker processes (nothing
# lost, nothing twice, several seeded runs); plain PUSH/PULL showing its
# loss and its stuck quit; the guide's pipeline getting faster as workers
# join; nothing left behind. Every run is under timeout.
. "$(dirname "$0")/lib.sh"

if ! "$DISHRACK" --check --set scenario.transport=zmq seed-threads 2>/dev/null ||
    ! "$DISHRACK" --headless -q --set scenario.transport=zmq \
    --set scenario.dishes=1 --set washer.time=0 --set dryer.time=0 \
    seed-threads >/dev/null 2>&1; then
	echo "zmq: this dishrack was built without libzmq: skipped"
	printf 'zmq: 0 passed, 0 failed, 1 skipped\n'
	exit 77
fi

T="timeout 60"
# The runs' private directories go in the test's own, so what is left is
# theirs (other programs may use the system's at the same time).
mkdir -p "$TMP/tmpdir"
export TMPDIR="$TMP/tmpdir"
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Forked workers allocate in libzmq after a threaded fork: as with Redis
# (lib.sh), under ASan they are threads, and kills run in the gcc build.
FORKS=$REDIS_FORKS

summary() { grep -E '^(dishes|washer|dryer|stacker) ' "$1" | sed 's/ *busy.*//; s/[0-9]*%//'; }

# 1. The same summary as local: dishes, each station's count and dishes,
# the bottleneck; the racks' max depths within one (a dryer added at 9 s
# starts a few milliseconds later over ZeroMQ: it connects first).
depths() { grep '^rack ' "$1" | sed 's/.*max depth \([0-9]*\).*/\1/'; }
for mode in threads $([ "$FORKS" = yes ] && echo processes); do
	for rack in unbounded 2 0; do
		[ "$mode" = processes ] && [ "$rack" != unbounded ] && continue
		args="--headless -q --speed 20 --set scenario.mode=$mode --set scenario.rack=$rack"
		# shellcheck disable=SC2086
		expect_exit 0 "bottleneck $mode rack=$rack, local" -- $T "$DISHRACK" $args bottleneck
		summary "$TMP/out" >"$TMP/local"
		depths "$TMP/out" >"$TMP/local.depth"
		# shellcheck disable=SC2086
		expect_exit 0 "bottleneck $mode rack=$rack, zmq" -- $T "$DISHRACK" $args \
		    --set scenario.transport=zmq bottleneck
		summary "$TMP/out" >"$TMP/zmq"
		if cmp -s "$TMP/local" "$TMP/zmq"; then ok; else
			bad "bottleneck $mode rack=$rack: zmq's summary is not local's"
			diff "$TMP/local" "$TMP/zmq" >&2
		fi
		if paste "$TMP/local.depth" <(depths "$TMP/out") |
		    awk '{ d = $1 - $2; if (d < -1 || d > 1) bad = 1 } END { exit bad }'; then
			ok; else bad "bottleneck $mode rack=$rack: max depths apart"; fi
	done
done
expect_exit 0 "seed-threads, local" -- $T "$DISHRACK" --headless -q --speed 8 seed-threads
summary "$TMP/out" >"$TMP/local"
expect_exit 0 "seed-threads, zmq" -- $T "$DISHRACK" --headless -q --speed 8 \
    --set scenario.transport=zmq seed-threads
summary "$TMP/out" >"$TMP/zmq"
cmp -s "$TMP/local" "$TMP/zmq" && ok || bad "seed-threads: zmq's summary is not local's"
expect_grep "$TMP/out" "^racks       in ZeroMQ ipc://" "the summary names the ipc directory"

# Over tcp on loopback, the same.
PORT=$(free_port)
expect_exit 0 "bottleneck over tcp" -- $T "$DISHRACK" --headless -q --speed 20 \
    --set scenario.transport="zmq+tcp://127.0.0.1:$PORT" bottleneck
summary "$TMP/out" >"$TMP/tcp"
expect_grep "$TMP/out" "tcp://127.0.0.1:$PORT" "the summary names the tcp address"
expect_exit 0 "bottleneck, local" -- $T "$DISHRACK" --headless -q --speed 20 bottleneck
summary "$TMP/out" | cmp -s - "$TMP/tcp" && ok || bad "tcp: not local's summary"
expect_exit 2 "a bad tcp port" -- "$DISHRACK" --headless \
    --set scenario.transport=zmq+tcp://127.0.0.1:0 seed-threads
expect_grep "$TMP/err" "^dishrack: --set: transport: the port must be" "a bad port, said"

# 2. Reliable racks under SIGKILL of worker processes: every run ends by
# itself, 0 lost, 0 duplicated, each dish finished once.
kill_run() {
	local seed=$1 shape=$2 pid kids k n t
	RANDOM=$seed
	# shellcheck disable=SC2086
	"$DISHRACK" --headless -q --json --seed "$seed" --set scenario.mode=processes \
	    --set scenario.transport=zmq $shape >"$TMP/k$seed.json" 2>"$TMP/k$seed.err" &
	pid=$!
	n=$((2 + RANDOM % 3))
	for ((k = 0; k < n; k++)); do
		sleep "0.$(printf '%02d' $((5 + RANDOM % 20)))"
		kids=($(pgrep -x dishrack -P "$pid"))
		[ ${#kids[@]} -gt 0 ] || break
		kill -KILL "${kids[$((RANDOM % ${#kids[@]}))]}" 2>/dev/null &&
		    echo kill >>"$TMP/k$seed.kills"
	done
	t=0
	while kill -0 "$pid" 2>/dev/null && [ $t -lt 200 ]; do sleep 0.1; t=$((t + 1)); done
	if kill -0 "$pid" 2>/dev/null; then
		echo hung >"$TMP/k$seed.verdict"
		pkill -KILL -P "$pid"; kill -KILL "$pid"
	fi
	wait "$pid" 2>/dev/null
}
if [ "$FORKS" = yes ]; then
	# The last: workers of no work in the middle of the line, so what is
	# killed holds batches and has pipelined puts on their way.
	shapes=("--set scenario.dishes=40 --set washer.time=10ms --set dryer.count=3 --set dryer.time=20ms..50ms seed-threads"
	    "--set scenario.dishes=40 --set scenario.rack=2 --set washer.time=10ms --set dryer.count=3 --set dryer.time=20ms..50ms seed-threads"
	    "--set dryer.count=2 --speed 40 bottleneck"
	    "--set scenario.dishes=20000 --set worker.count=3 --set worker.time=0 --set sink.count=2 zmq-pipeline")
	runs=${ZMQ_KILL_RUNS:-8}
	for ((s = 1; s <= runs; s += 2)); do
		kill_run "$s" "${shapes[$((s % 4))]}" &
		kill_run $((s + 1)) "${shapes[$(((s + 1) % 4))]}" &
		wait
	done
	good=0; kills=0
	for ((s = 1; s <= runs; s++)); do
		[ -f "$TMP/k$s.kills" ] && kills=$((kills + $(wc -l <"$TMP/k$s.kills")))
		if [ ! -f "$TMP/k$s.verdict" ] &&
		    grep -q '"lost":0,"duplicated":0,"conserved":true' "$TMP/k$s.json"; then
			good=$((good + 1))
		else
			bad "reliable zmq run $s under kills: $(cat "$TMP/k$s.verdict" 2>/dev/null) $(head -c 300 "$TMP/k$s.json" "$TMP/k$s.err")"
		fi
	done
	echo "zmq kills: $runs runs, $kills kills, $good conserved"
	[ "$kills" -gt 0 ] && ok || bad "no worker was killed"

	# 3. Plain PUSH/PULL: a killed worker's dish, and those ZeroMQ had
	# queued for it, are lost, counted, and the run still ends (exit 1).
	"$DISHRACK" --headless -q --set scenario.mode=processes --set scenario.transport=zmq \
	    --set rack.reliable=no --set scenario.dishes=100 --set washer.time=5ms \
	    --set dryer.count=3 --set dryer.time=20ms..50ms seed-threads >"$TMP/plain" 2>&1 &
	pid=$!
	sleep 0.4
	kill -KILL "$(pgrep -x dishrack -P "$pid" | head -1)" 2>/dev/null
	t=0
	while kill -0 "$pid" 2>/dev/null && [ $t -lt 200 ]; do sleep 0.1; t=$((t + 1)); done
	if kill -0 "$pid" 2>/dev/null; then
		bad "plain zmq with a killed worker: hung"
		pkill -KILL -P "$pid"; kill -KILL "$pid"
	else ok; fi
	wait "$pid"; rc=$?
	[ "$rc" = 1 ] && ok || bad "plain zmq with a killed worker: exit $rc, wanted 1"
	expect_grep "$TMP/plain" "NOT conserved ([1-9][0-9]* lost" "plain: the loss in the summary"
	expect_grep "$TMP/plain" "lost with the takers that died" "plain: where they went"
fi

# 4. The lecture's quit sentinels down a PUSH: bottleneck's script adds a
# dryer the washer's quits do not know of: one dryer (either: PUSH deals the
# one quit to whichever pipe is next) is shown stuck, then the
# control broadcast (the guide's fix) ends it.
expect_exit 0 "sentinel quits" -- $T "$DISHRACK" --headless -q --speed 40 \
    --set scenario.transport=zmq --set rack.reliable=no --set rack.quit=sentinel bottleneck
expect_grep "$TMP/out" "no quit reached [a-z0-9, -]* (stuck" "sentinel: the stuck dryer, named"
expect_grep "$TMP/out" "the control broadcast ended it" "sentinel: then the guide's fix"
expect_exit 0 "broadcast quit" -- $T "$DISHRACK" --headless -q --speed 10 \
    --set scenario.transport=zmq --set rack.reliable=no bottleneck
expect_no_grep "$TMP/out" "no quit reached" "broadcast: nobody stuck"
# Plain PUSH deals round the takers blindly: the dryer that joins at 9 s
# finds every dish dealt to the first, so the line is slower than reliable.
# (At speed 10: a millisecond of a loaded machine is 10 ms of the run.)
p=$(grep -o 'dryer  *2  *12  *[0-9]*%' "$TMP/out" | awk '{print $4}' | tr -d %)
expect_exit 0 "reliable, for the dryers' busy" -- $T "$DISHRACK" --headless -q --speed 10 \
    --set scenario.transport=zmq bottleneck
r=$(grep -o 'dryer  *2  *12  *[0-9]*%' "$TMP/out" | awk '{print $4}' | tr -d %)
if [ -n "$p" ] && [ -n "$r" ] && [ "$r" -gt $((p + 10)) ]; then ok; else
	bad "plain dealt blindly should keep the second dryer idle: busy plain $p%, reliable $r%"; fi

# 5. The guide's pipeline: time falls as workers join (1 vs 4 workers).
expect_exit 0 "zmq-pipeline matrix" -- $T "$DISHRACK" --headless -q --speed 4 \
    --matrix 'worker.count=1,4' --set "scenario.mode=$([ "$FORKS" = yes ] && echo processes || echo threads)" zmq-pipeline
one=$(awk '$1 == "1" {print $2}' "$TMP/out")
four=$(awk '$1 == "4" {print $2}' "$TMP/out")
if awk -v a="$one" -v b="$four" 'BEGIN { exit !(b > 0 && a / b > 2.5) }'; then ok; else
	bad "zmq-pipeline: 1 worker $one s, 4 workers $four s: not faster"; cat "$TMP/out" >&2; fi

# 6. Agents over tcp: dryers of another program join; an agent killed
# with SIGKILL loses no dish (its unacknowledged dishes are sent again).
wait_for() {
	t=0
	while kill -0 "$1" 2>/dev/null && [ $t -lt $(($2 * 10)) ]; do
		sleep 0.1; t=$((t + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		pkill -KILL -P "$1"; kill -KILL "$1"; return 1; fi
	return 0
}
# (kill3: the run's script kills the agent, kill agent laptop-z: it
# SIGKILLs itself, at the run's order.)
printf '[scenario]\ntitle = seed-threads\n[washer]\n[dryer]\n[script]\n1.8s kill agent laptop-z\n' >"$TMP/kill-agent.scn"
for round in join kill1 kill2 kill3; do
	PORT=$(free_port)
	mode=threads; [ "$FORKS" = yes ] && [ "$round" != kill2 ] && mode=processes
	scn=seed-threads; [ "$round" = kill3 ] && scn="$TMP/kill-agent.scn"
	"$DISHRACK" --headless -q --json --seed "${#round}" --speed 2 \
	    --set scenario.transport="zmq+tcp://127.0.0.1:$PORT" --set scenario.dishes=12 \
	    --set washer.time=150ms --set dryer.count=1 --set dryer.time=700ms..1s \
	    "$scn" >"$TMP/coord.json" 2>"$TMP/coord.err" &
	coord=$!
	sleep 0.5
	"$DISHRACK" agent "tcp://127.0.0.1:$PORT" --station dryer --count 2 --mode "$mode" \
	    --name laptop-z >"$TMP/agent.out" 2>"$TMP/agent.err" &
	agent=$!
	if [ "$round" = kill1 ] || [ "$round" = kill2 ]; then
		sleep "0.$((3 + RANDOM % 6))"
		kill -KILL "$agent"
	fi
	wait_for $coord 60 || bad "agent $round: the run hung"
	wait "$coord"; rc=$?
	[ $rc = 0 ] && ok || { bad "agent $round: the run exited $rc"; cat "$TMP/coord.err" >&2; }
	wait_for $agent 10 || bad "agent $round: the agent did not leave"
	wait "$agent" 2>/dev/null; rc=$?
	if [ "$round" = kill3 ]; then
		[ $rc = 137 ] && ok || bad "kill agent: the agent exited $rc, wanted 137 (SIGKILL)"
		expect_grep "$TMP/agent.err" "killed by the run (kill agent): SIGKILL" "kill agent: the agent says why"
	fi
	expect_grep "$TMP/coord.json" '"dishes_dried":12,"in_racks":0,"in_hands":0,"lost":0,"duplicated":0,"conserved":true' \
	    "agent $round ($mode): conserved"
	expect_grep "$TMP/coord.json" '{"name":"dryer","count":3,' "agent $round: three dryers counted"
	if [ "$round" = join ]; then
		expect_grep "$TMP/agent.err" "^dishrack agent: 2 dryer on .*, joined the run on tcp://127.0.0.1:$PORT" \
		    "the agent says it joined"
		n=$(grep -o '"name":"dryer-[23]","pid":[0-9]*,"dishes":[1-9]' "$TMP/coord.json" | wc -l)
		[ "$n" -ge 1 ] && ok || bad "the agent's dryers did no dish in the run's figures"
	else
		expect_grep "$TMP/coord.json" '"name":"dryer","count":3,[^}]*"killed":2' \
		    "agent $round: its two dryers counted killed"
	fi
done
# A broadcast over tcp: an agent's subscriber joins a second late, connects
# its own SUB to the run's XPUB, and the run's books count it beside ours.
PORT=$(free_port)
printf '[scenario]\ndishes = 24\n[rack]\nkind = broadcast\ntopics = a, b, c\npick = order\n[pub]\ntime = 150ms\n[sub]\nsubscribe = a, b\ntime = 0\nsay = got {dish} on {topic}\n' >"$TMP/bcast.scn"
$T "$DISHRACK" --headless --set scenario.transport="zmq+tcp://127.0.0.1:$PORT" \
    "$TMP/bcast.scn" >"$TMP/coord.out" 2>"$TMP/coord.err" &
coord=$!
sleep 1
$T "$DISHRACK" agent "tcp://127.0.0.1:$PORT" --station sub --name laptop-s \
    >"$TMP/agent.out" 2>"$TMP/agent.err"; rc=$?
[ $rc = 0 ] && ok || { bad "broadcast agent: exited $rc"; cat "$TMP/agent.err" >&2; }
wait_for $coord 30 || bad "broadcast agent: the run hung"
wait "$coord"; rc=$?
[ $rc = 0 ] && ok || { bad "broadcast agent: the run exited $rc"; cat "$TMP/coord.err" >&2; }
expect_grep "$TMP/coord.out" "racks       in ZeroMQ XPUB/SUB, tcp://127.0.0.1:[0-9]*, a broadcast, no broker" \
    "broadcast agent: the publisher on tcp"
expect_grep "$TMP/coord.out" "subscriber  sub-1 (a, b): 16 of 16 received, 0 missed" "broadcast agent: ours got all"
n=$(grep -c '^got' "$TMP/agent.out")
expect_grep "$TMP/coord.out" "subscriber  sub-2 (a, b): $n of 16 received, [1-9][0-9]* missed" \
    "broadcast agent: the agent's, counted by the run as it printed ($n), and late"
expect_grep "$TMP/coord.out" "received, [0-9]* missed: conserved" "broadcast agent: conserved"
# sync = yes and --wait-agents 1: the XPUB waits for the agent's hello too,
# and the agent's subscriber, a second and a half late, misses nothing.
PORT=$(free_port)
sed 's/^pick = order$/pick = order\nsync = yes/; s/^dishes = 24$/dishes = 8/' \
    "$TMP/bcast.scn" >"$TMP/bsync.scn"
$T "$DISHRACK" --headless --wait-agents 1 --set scenario.transport="zmq+tcp://127.0.0.1:$PORT" \
    "$TMP/bsync.scn" >"$TMP/coord.out" 2>"$TMP/coord.err" &
coord=$!
sleep 1.5
$T "$DISHRACK" agent "tcp://127.0.0.1:$PORT" --station sub --name laptop-s \
    >"$TMP/agent.out" 2>"$TMP/agent.err"; rc=$?
[ $rc = 0 ] && ok || { bad "wait-agents: the agent exited $rc"; cat "$TMP/agent.err" >&2; }
wait_for $coord 30 || bad "wait-agents: the run hung"
wait "$coord"; rc=$?
[ $rc = 0 ] && ok || { bad "wait-agents: the run exited $rc"; cat "$TMP/coord.err" >&2; }
expect_grep "$TMP/coord.out" "subscriber  sub-2 (a, b): 6 of 6 received, 0 missed" \
    "wait-agents: the agent's subscriber missed nothing"
n=$(grep -c '^got' "$TMP/agent.out")
[ "$n" = 6 ] && ok || bad "wait-agents: the agent printed $n, wanted 6"

expect_exit 1 "an agent with no run there" -- timeout 30 "$DISHRACK" agent \
    "tcp://127.0.0.1:$(free_port)" --station dryer
expect_grep "$TMP/err" "no dishrack run answered" "no run: said"

# 7. Nothing left: the private directories, the children.
sleep 0.2
if ls "$TMPDIR" | grep -q '^dishrack-zmq\.'; then
	bad "an ipc directory was left: $(ls "$TMPDIR")"; else ok; fi
expect_clean "after the zmq runs"
finish
