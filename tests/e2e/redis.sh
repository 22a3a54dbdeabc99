#!/bin/bash
# redis.sh: racks in a real redis-server. The test starts its own server
# on a free loopback port in a temporary directory (and one with a
# password), and stops each by its pid; the private server of
# transport = redis is dishrack's own. Skipped where redis-server is not
# installed.
. "$(dirname "$0")/lib.sh"

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	echo "redis: redis-server or redis-cli not installed: skipped"
	printf 'redis: 0 passed, 0 failed, 1 skipped\n'
	exit 77
fi

# free_port: a loopback port nobody listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server NAME [ARGS...]: a redis-server of the test's own; sets PORT.
start_server() {
	name=$1; shift
	PORT=$(free_port)
	mkdir -p "$TMP/$name"
	redis-server --port "$PORT" --bind 127.0.0.1 --dir "$TMP/$name" \
	    --save '' --appendonly no --daemonize no "$@" \
	    >"$TMP/$name/log" 2>&1 &
	eval "PID_$name=$!"
	for _ in $(seq 100); do
		redis-cli -p "$PORT" ${PASS:+-a "$PASS"} --no-auth-warning ping \
		    2>/dev/null | grep -q PONG && return 0
		sleep 0.05
	done
	bad "redis-server $name did not start"; cat "$TMP/$name/log" >&2
	return 1
}

stop_servers() {
	for p in ${PID_plain:-} ${PID_locked:-} ${PID_aof:-} ${PID_gone:-}; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
}
trap 'stop_servers; rm -rf "$TMP"' EXIT

start_server plain || { finish; exit 1; }
PLAIN=$PORT
URL="redis://127.0.0.1:$PLAIN"
keys() { redis-cli -p "$PLAIN" dbsize; }

# 1. The lecture's two programs on the real clock: the lecture's lines,
# each program's in its order. (Which of two programs writes first, when
# both write at once, is the race itself: word for word is the virtual
# clock's, in headless.sh.)
FORK_MODE=processes; [ "$REDIS_FORKS" = no ] && FORK_MODE=threads
# A TMPDIR of its own: other runs on the machine make and remove theirs.
mkdir -p "$TMP/t"
expect_exit 0 "redis-queue" -- env TMPDIR="$TMP/t" "$DISHRACK" --headless --speed 4 \
    --set "scenario.mode=$FORK_MODE" redis-queue
sed '/^== /,$d' "$TMP/out" | sed '$d' >"$TMP/words"
want="$(dirname "$0")/lecture-redis.txt"
if cmp -s <(sort "$TMP/words") <(sort "$want") &&
    cmp -s <(grep Wash "$TMP/words") <(grep Wash "$want") &&
    cmp -s <(grep -E 'Dr(y|ie)' "$TMP/words") <(grep -E 'Dr(y|ie)' "$want"); then
	ok
else
	bad "redis-queue: not the lecture's lines in each program's order"
	diff "$TMP/words" "$want" >&2
fi
expect_clean "after the private server"
if ls "$TMP/t" | grep -q '^dishrack-redis\.'; then
	bad "the private server's directory is left"; else ok; fi

# 2. The same summary as local racks: threads and processes, 0/N/unbounded.
summary() { grep -E '^(dishes|station|washer|dryer|stacker) ' "$1" | sed 's/ *busy.*//; s/[0-9]*%//'; }
for mode in threads $([ "$REDIS_FORKS" = yes ] && echo processes); do
	for rack in unbounded 2 0; do
		args="--headless -q --speed 20 --set scenario.mode=$mode --set scenario.rack=$rack"
		# shellcheck disable=SC2086
		expect_exit 0 "bottleneck $mode rack=$rack, local" -- "$DISHRACK" $args bottleneck
		grep -E '^dishes' "$TMP/out" >"$TMP/local"
		grep -E '<- bottleneck' "$TMP/out" | awk '{print $1}' >>"$TMP/local"
		# shellcheck disable=SC2086
		expect_exit 0 "bottleneck $mode rack=$rack, redis" -- "$DISHRACK" $args \
		    --set "scenario.transport=$URL" bottleneck
		grep -E '^dishes' "$TMP/out" >"$TMP/remote"
		grep -E '<- bottleneck' "$TMP/out" | awk '{print $1}' >>"$TMP/remote"
		if cmp -s "$TMP/local" "$TMP/remote"; then ok; else
			bad "bottleneck $mode rack=$rack: redis differs from local"
			diff "$TMP/local" "$TMP/remote" >&2; fi
		expect_grep "$TMP/out" "12 stacked, 0 in racks, 0 in hands: conserved" \
		    "bottleneck $mode rack=$rack over redis conserved"
		[ "$(keys)" = 0 ] && ok || bad "keys left after $mode rack=$rack: $(keys)"
	done
done
# A batch (rack.batch) changes how many a trip carries, not the summary.
for mode in threads $([ "$REDIS_FORKS" = yes ] && echo processes); do
	args="--headless -q --speed 20 --set scenario.mode=$mode"
	# shellcheck disable=SC2086
	expect_exit 0 "bottleneck $mode, local" -- "$DISHRACK" $args bottleneck
	grep -E '^dishes' "$TMP/out" >"$TMP/local"
	grep -E '<- bottleneck' "$TMP/out" | awk '{print $1}' >>"$TMP/local"
	# shellcheck disable=SC2086
	expect_exit 0 "bottleneck $mode, redis batch 5" -- "$DISHRACK" $args \
	    --set "scenario.transport=$URL" --set rack.batch=5 bottleneck
	grep -E '^dishes' "$TMP/out" >"$TMP/remote"
	grep -E '<- bottleneck' "$TMP/out" | awk '{print $1}' >>"$TMP/remote"
	if cmp -s "$TMP/local" "$TMP/remote"; then ok; else
		bad "bottleneck $mode batch 5: redis differs from local"
		diff "$TMP/local" "$TMP/remote" >&2; fi
	[ "$(keys)" = 0 ] && ok || bad "keys left after $mode batch 5: $(keys)"
done
expect_exit 0 "zero work, batch 50" -- "$DISHRACK" --headless -q --json \
    --set "scenario.transport=$URL" --set rack.batch=50 --set scenario.dishes=20000 \
    --set washer.time=0 --set dryer.time=0 --set dryer.count=3 seed-threads
expect_grep "$TMP/out" '"dishes_dried":20000,"in_racks":0,"in_hands":0,"lost":0,"duplicated":0,"conserved":true' \
    "zero work, batch 50: every dish once"
# Refused where a batch cannot keep its promise, naming the key's place.
printf '[scenario]\ntransport = redis\nrack = 3\n[rack]\nbatch = 10\n[washer]\n[dryer]\n' >"$TMP/b.scn"
expect_exit 2 "batch with a rack limit" -- "$DISHRACK" --headless -q "$TMP/b.scn"
expect_grep "$TMP/err" "b.scn:5:9: batch = 10 needs unbounded racks" "batch with a limit: why, and where"
expect_exit 2 "batch on the plain queue" -- "$DISHRACK" --headless -q \
    --set "scenario.transport=$URL" --set rack.reliable=no --set rack.batch=4 seed-threads
expect_grep "$TMP/err" "batch = 4 needs reliable = yes" "batch on the plain queue: why"

expect_exit 0 "seed-threads over redis" -- "$DISHRACK" --headless --speed 10 \
    --set "scenario.transport=$URL" seed-threads
expect_grep "$TMP/out" "4 dried, 0 in racks, 0 in hands: conserved" "seed-threads conserved"

# 3. Reliable: dryer processes killed mid-dish lose nothing (worker
# processes over Redis: not under ASan, see lib.sh).
lost_runs=0; hung=0
[ "$REDIS_FORKS" = yes ] || echo "redis: kills of worker processes not run under ASan"
for seed in $([ "$REDIS_FORKS" = yes ] && echo 1 2 3 4 5 6 7 8); do
	"$DISHRACK" --headless -q --json --seed $seed --set scenario.mode=processes \
	    --set "scenario.transport=$URL" --set scenario.dishes=40 \
	    --set washer.time=10ms --set dryer.count=3 --set dryer.time=30ms..60ms \
	    seed-threads >"$TMP/k.json" 2>"$TMP/k.err" &
	pid=$!
	for k in 1 2 3; do
		sleep 0.2
		victim=$(pgrep -P "$pid" | shuf -n 1)
		[ -n "$victim" ] && kill -KILL "$victim"
	done
	t=0
	while kill -0 "$pid" 2>/dev/null && [ $t -lt 200 ]; do sleep 0.1; t=$((t + 1)); done
	if kill -0 "$pid" 2>/dev/null; then
		hung=$((hung + 1)); pkill -KILL -P "$pid"; kill -KILL "$pid"
	fi
	wait "$pid" 2>/dev/null
	grep -q '"lost":0,"duplicated":0,"conserved":true' "$TMP/k.json" ||
	    lost_runs=$((lost_runs + 1))
done
[ $hung = 0 ] && ok || bad "reliable redis: $hung of 8 runs hung"
[ $lost_runs = 0 ] && ok || { bad "reliable redis: $lost_runs of 8 runs lost dishes"; cat "$TMP/k.json" >&2; }

# The same with batches: a killed dryer's dishes fetched ahead go back
# with the one in its hand (a fast washer, so that batches fill).
lost_runs=0; hung=0
for seed in $([ "$REDIS_FORKS" = yes ] && echo 1 2 3 4); do
	"$DISHRACK" --headless -q --json --seed $seed --set scenario.mode=processes \
	    --set "scenario.transport=$URL" --set rack.batch=8 --set scenario.dishes=60 \
	    --set washer.time=2ms --set dryer.count=3 --set dryer.time=20ms..40ms \
	    seed-threads >"$TMP/k.json" 2>"$TMP/k.err" &
	pid=$!
	for k in 1 2 3; do
		sleep 0.15
		victim=$(pgrep -P "$pid" | shuf -n 1)
		[ -n "$victim" ] && kill -KILL "$victim"
	done
	t=0
	while kill -0 "$pid" 2>/dev/null && [ $t -lt 200 ]; do sleep 0.1; t=$((t + 1)); done
	if kill -0 "$pid" 2>/dev/null; then
		hung=$((hung + 1)); pkill -KILL -P "$pid"; kill -KILL "$pid"
	fi
	wait "$pid" 2>/dev/null
	grep -q '"lost":0,"duplicated":0,"conserved":true' "$TMP/k.json" ||
	    { lost_runs=$((lost_runs + 1)); cp "$TMP/k.json" "$TMP/k.bad"; }
done
[ $hung = 0 ] && ok || bad "reliable redis, batch 8: $hung of 4 runs hung"
[ $lost_runs = 0 ] && ok || { bad "reliable redis, batch 8: $lost_runs of 4 runs lost dishes"; cat "$TMP/k.bad" >&2; }
[ "$(keys)" = 0 ] && ok || bad "keys left after the kills: $(keys)"

# 4. Unreliable (the lecture's queue): a dryer killed mid-dish loses it,
# and the run says so.
if [ "$REDIS_FORKS" = yes ]; then
"$DISHRACK" --headless -q --set scenario.mode=processes --set "scenario.transport=$URL" \
    --set rack.reliable=no --set scenario.dishes=10 --set washer.time=10ms \
    --set dryer.time=2s seed-threads >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 0.7
kill -KILL "$(pgrep -P "$pid" | head -1)"
wait "$pid"
got=$?
[ "$got" = 1 ] && ok || bad "unreliable redis: exit $got, wanted 1 (a dish lost)"
expect_grep "$TMP/out" "NOT conserved (1 lost" "unreliable redis: the loss is counted"
fi

# 5. A server that is not there: one line naming it, exit 1, at once.
dead=$(free_port)
start=$(date +%s)
expect_exit 1 "redis down" -- "$DISHRACK" --headless -q \
    --set "scenario.transport=redis://127.0.0.1:$dead" seed-threads
[ $(($(date +%s) - start)) -le 5 ] && ok || bad "redis down: took over 5 s"
expect_lines "$TMP/err" 1 "redis down: one line"
expect_grep "$TMP/err" "^dishrack: redis://127.0.0.1:$dead/0: Connection refused" "redis down: names it"

# wait_port PORT: until something listens on 127.0.0.1:PORT (5 s at most),
# as a fake server in python takes its time to start on a loaded machine.
wait_port() {
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# A server that is not Redis: one line that says so.
fake=$(free_port)
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4); s.settimeout(10)
try:
    while True:
        c, _ = s.accept(); c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"); c.close()
except Exception:
    pass
' "$fake" &
FAKE=$!
wait_port "$fake"
expect_exit 1 "not redis" -- "$DISHRACK" --headless -q \
    --set "scenario.transport=redis://127.0.0.1:$fake" seed-threads
expect_grep "$TMP/err" "^dishrack: redis://127.0.0.1:$fake/0: not a Redis server" "not redis: says so"
expect_lines "$TMP/err" 1 "not redis: one line"
kill $FAKE 2>/dev/null; wait $FAKE 2>/dev/null

# A Redis too old for BLMOVE (6.0, as Debian 11 ships): a server that
# speaks RESP and says so in INFO, and one line naming what is needed.
old=$(free_port)
python3 -c '
import socket, sys, threading
def serve(c):
    buf = b""
    while True:
        d = c.recv(4096)
        if not d: return
        buf += d
        while b"\r\n" in buf and buf.startswith(b"*"):
            # One command: *N then N bulk strings; answer by its name.
            parts = buf.split(b"\r\n")
            n = int(parts[0][1:])
            if len(parts) < 2 * n + 2: break
            name = parts[2].upper()
            buf = b"\r\n".join(parts[2 * n + 1:])
            if name == b"INFO":
                body = b"# Server\r\nredis_version:6.0.16\r\n"
                c.sendall(b"$%d\r\n%s\r\n" % (len(body), body))
            else:
                c.sendall(b"+PONG\r\n")
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4); s.settimeout(10)
try:
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
except Exception:
    pass
' "$old" &
FAKE=$!
wait_port "$old"
expect_exit 1 "redis too old" -- "$DISHRACK" --headless -q \
    --set "scenario.transport=redis://127.0.0.1:$old" seed-threads
expect_grep "$TMP/err" "^dishrack: redis://127.0.0.1:$old/0: Redis 6.0 is too old: dishrack needs 6.2 or later (BLMOVE)$" \
    "redis too old: says what it needs"
expect_lines "$TMP/err" 1 "redis too old: one line"
kill $FAKE 2>/dev/null; wait $FAKE 2>/dev/null

# 6. A password is never printed: not when it works, not when it is wrong.
PASS=s3cret-hunter2 start_server locked --requirepass s3cret-hunter2 || { finish; exit 1; }
expect_exit 0 "with a password" -- "$DISHRACK" --headless --json --speed 20 \
    --set "scenario.transport=redis://:s3cret-hunter2@127.0.0.1:$PORT/3" seed-threads
expect_no_grep "$TMP/out" "hunter2" "password in the report"
expect_no_grep "$TMP/err" "hunter2" "password in errors"
expect_exit 1 "a wrong password" -- "$DISHRACK" --headless -q \
    --set "scenario.transport=redis://:wrong-hunter3@127.0.0.1:$PORT" seed-threads
expect_grep "$TMP/err" "^dishrack: redis://127.0.0.1:$PORT/0: WRONGPASS" "wrong password: the server's word"
expect_no_grep "$TMP/err" "hunter3" "wrong password: not printed"
expect_exit 1 "no password" -- "$DISHRACK" --headless -q \
    --set "scenario.transport=redis://127.0.0.1:$PORT" seed-threads
expect_grep "$TMP/err" "NOAUTH" "no password: NOAUTH"

# 7. Keys are removed even when the run is interrupted.
"$DISHRACK" --headless -q --set "scenario.transport=$URL" --set dryer.time=1s \
    seed-threads >"$TMP/out" 2>&1 &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
[ "$(keys)" = 0 ] && ok || bad "keys left after SIGINT: $(keys)"

# 8. Redis killed mid-run and started again on its append-only file: the
# workers try again, and no dish is lost or dried twice.
PASS= start_server aof --appendonly yes --appendfsync always || { finish; exit 1; }
AOF=$PORT
"$DISHRACK" --headless -q --json --set "scenario.mode=$FORK_MODE" \
    --set "scenario.transport=redis://127.0.0.1:$AOF" --set scenario.dishes=30 \
    --set washer.time=20ms --set dryer.count=2 --set dryer.time=80ms \
    seed-threads >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 0.8
kill -KILL "$PID_aof"; wait "$PID_aof" 2>/dev/null
sleep 1
redis-server --port "$AOF" --bind 127.0.0.1 --dir "$TMP/aof" --save '' \
    --appendonly yes --appendfsync always --daemonize no >>"$TMP/aof/log" 2>&1 &
PID_aof=$!
t=0
while kill -0 "$pid" 2>/dev/null && [ $t -lt 300 ]; do sleep 0.1; t=$((t + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	bad "redis restarted: the run hung"; pkill -KILL -P "$pid"; kill -KILL "$pid"
fi
wait "$pid"
got=$?
[ "$got" = 0 ] && ok || { bad "redis restarted: exit $got"; cat "$TMP/err" >&2; }
expect_grep "$TMP/out" '"dishes_dried":30,"in_racks":0,"in_hands":0,"lost":0,"duplicated":0,"conserved":true' \
    "redis restarted: nothing lost, nothing twice"
# The run says so once, not once a worker or a retry, and once it is back.
[ "$(grep -c "^dishrack: redis://127.0.0.1:$AOF/0 does not answer; the workers retry for up to 10 s$" "$TMP/err")" = 1 ] &&
    ok || { bad "redis restarted: the outage not said once"; cat "$TMP/err" >&2; }
[ "$(grep -c "^dishrack: redis://127.0.0.1:$AOF/0 answers again, after [0-9.]* s$" "$TMP/err")" = 1 ] &&
    ok || bad "redis restarted: its return not said once"

# 9. Redis gone for good: a clear error after its 10 s, a partial summary,
# exit 1, no child left.
PASS= start_server gone || { finish; exit 1; }
"$DISHRACK" --headless -q --set "scenario.mode=$FORK_MODE" \
    --set "scenario.transport=redis://127.0.0.1:$PORT" --set dryer.time=1s \
    seed-threads >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1
kill -KILL "$PID_gone"; wait "$PID_gone" 2>/dev/null
t=0
while kill -0 "$pid" 2>/dev/null && [ $t -lt 300 ]; do sleep 0.1; t=$((t + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	bad "redis gone: the run hung"; pkill -KILL -P "$pid"; kill -KILL "$pid"
fi
wait "$pid"
got=$?
[ "$got" = 1 ] && ok || bad "redis gone: exit $got, wanted 1"
expect_grep "$TMP/err" "^dishrack: redis://127.0.0.1:$PORT/0: " "redis gone: the error names it"
expect_grep "$TMP/out" "interrupted" "redis gone: a partial summary"
pgrep -P "$pid" >/dev/null && bad "redis gone: children left" || ok

expect_clean "after redis"
finish
