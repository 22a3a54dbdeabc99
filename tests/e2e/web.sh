#!/bin/sh
# web.sh: the web server over real loopback sockets. The three models'
# page latencies as ratios (sync far behind, threads and async alike),
# the loop's CPU stall, the server for outside clients (curl, wrk, a
# raw socket of our own, each a process of its own), bad input from the
# network, descriptors counted before and after, and a thousand idle
# connections that cost the loop nothing.
. "$(dirname "$0")/lib.sh"

# json FILE EXPR: a figure from a JSON summary, by a Python expression on j.
json() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# ratio_ok A B MIN DESCRIPTION: A / B >= MIN.
ratio_ok() {
	if python3 -c 'import sys; a,b,m=map(float,sys.argv[1:4]); sys.exit(0 if b > 0 and a / b >= m else 1)' "$1" "$2" "$3"
	then ok; else bad "$4: $1 / $2 < $3"; fi
}

# --- The three models, with a slow upload ---------------------------------
SMALL="--set visitors.pages=40 --set visitors.upload_time=1500ms --set visitors.upload_start=200ms"
for m in sync threads:4 async processes:2; do
	f=$TMP/lat-$(echo "$m" | tr : -).json
	expect_exit 0 "webserver $m" -- "$DISHRACK" --headless --json $SMALL \
	    --set server.model=$m "$SCENARIOS/webserver.scn"
	cp "$TMP/out" "$f"
	expect_grep "$f" '"page_latency":{"p50":' "$m: page_latency in the JSON"
	expect_grep "$f" '"complete":true' "$m: every visit answered"
	expect_grep "$TMP/err" 'listening on http://127.0.0.1:' "$m: the address"
done
sync99=$(json "$TMP/lat-sync.json" 'j["page_latency"]["p99"]')
thr99=$(json "$TMP/lat-threads-4.json" 'j["page_latency"]["p99"]')
asy99=$(json "$TMP/lat-async.json" 'j["page_latency"]["p99"]')
sync50=$(json "$TMP/lat-sync.json" 'j["page_latency"]["p95"]')
# A page behind the upload waits for seconds; the others for milliseconds.
# 8x, not the 300x a quiet machine shows: a loaded CI core stretches
# the fast models' tail most.
ratio_ok "$sync99" "$thr99" 8 "sync p99 far behind threads:4"
ratio_ok "$sync99" "$asy99" 8 "sync p99 far behind async"
pro99=$(json "$TMP/lat-processes-2.json" 'j["page_latency"]["p99"]')
ratio_ok "$sync99" "$pro99" 8 "sync p99 far behind processes:2"
ratio_ok "$thr99" "$asy99" 0.2 "threads:4 and async alike (1)"
ratio_ok "$asy99" "$thr99" 0.2 "threads:4 and async alike (2)"
ratio_ok "$sync50" 0.5 1 "sync p95 is seconds"
# The server's own clock hides the queue: a page takes it milliseconds.
syncsvc=$(json "$TMP/lat-sync.json" 'j["service_time"]["p99"]')
ratio_ok "$sync99" "$syncsvc" 20 "sync: the visitors' p99 far above the server's own"
expect_exit 0 "the sync run waited" -- python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["waiting_max"] >= 5 else 1)' "$TMP/lat-sync.json"

# --- The matrix table --------------------------------------------------
expect_exit 0 "matrix" -- "$DISHRACK" --headless $SMALL \
    --set visitors.pages=10 --matrix 'server.model=sync,async' \
    "$SCENARIOS/webserver.scn"
expect_grep "$TMP/out" 'p99-s' "matrix header"
expect_grep "$TMP/out" '^async ' "matrix row"

# --- Where the loop loses: CPU-bound rendering --------------------------
# The stall itself does not depend on the machine: the same pages as
# io waits overlap on the loop, as cpu they queue behind each other.
CPU="--set visitors.pages=80"
expect_exit 0 "cpu async" -- "$DISHRACK" --headless --json $CPU \
    --set server.model=async "$SCENARIOS/webserver-cpu.scn"
cp "$TMP/out" "$TMP/cpu-async.json"
expect_grep "$TMP/cpu-async.json" '"complete":true' "cpu async: every visit answered"
expect_exit 0 "io async" -- "$DISHRACK" --headless --json $CPU \
    --set server.model=async --set server.work=io "$SCENARIOS/webserver-cpu.scn"
cp "$TMP/out" "$TMP/io-async.json"
ca=$(json "$TMP/cpu-async.json" 'j["page_latency"]["p95"]')
ia=$(json "$TMP/io-async.json" 'j["page_latency"]["p95"]')
ratio_ok "$ca" "$ia" 3 "cpu-bound pages stall the loop (io ones do not)"
# That threads keep going needs the cores: other programs on a loaded
# machine take them from four threads as from one (the scheduler shares
# the machine between sessions, not between threads). A pair of runs is
# tried three times, and not at all when the machine is overloaded.
# The machine's idle share over half a second, from /proc/stat.
idle=$(python3 -c '
import time
def t():
    f = open("/proc/stat").readline().split()[1:]
    v = list(map(int, f))
    return v[3] + v[4], sum(v)
i0, a0 = t(); time.sleep(0.5); i1, a1 = t()
print("%.2f" % ((i1 - i0) / max(1, a1 - a0)))')
if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 0.7 else 1)' "$idle"; then
	stalled=no
	for try in 1 2 3; do
		"$DISHRACK" --headless --json $CPU --set server.model=threads:4 \
		    "$SCENARIOS/webserver-cpu.scn" >"$TMP/cpu-threads.json" 2>/dev/null
		ct=$(json "$TMP/cpu-threads.json" 'j["page_latency"]["p95"]')
		if python3 -c 'import sys; a,b=map(float,sys.argv[1:3]); sys.exit(0 if b > 0 and a / b >= 1.5 else 1)' "$ca" "$ct"
		then stalled=yes; break; fi
		echo "cpu-bound try $try: async p95 $ca s, threads:4 p95 $ct s" >&2
		"$DISHRACK" --headless --json $CPU --set server.model=async \
		    "$SCENARIOS/webserver-cpu.scn" >"$TMP/cpu-async.json" 2>/dev/null
		ca=$(json "$TMP/cpu-async.json" 'j["page_latency"]["p95"]')
	done
	[ $stalled = yes ] && ok || bad "cpu-bound: threads keep going where the loop stalls (async p95 $ca s, threads $ct s)"
else
	echo "web: the processors are only $idle idle: threads against the loop, cpu-bound, not compared" >&2
fi

# --- A server for others: curl, a raw socket, wrk --------------------------
"$DISHRACK" --headless --set server.clients=external \
    --set server.model=async --set server.timeout=300ms \
    "$SCENARIOS/webserver.scn" >"$TMP/ext.out" 2>"$TMP/ext.err" &
pid=$!
port=
for i in $(seq 50); do
	port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/ext.out")
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -z "$port" ]; then bad "external: no address printed"; kill $pid; finish; exit; fi
ok
fds0=$(ls /proc/$pid/fd | wc -l)
if curl -s --max-time 5 "http://127.0.0.1:$port/page" | grep -q 'a page, rendered'
then ok; else bad "curl GET /page"; fi
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/missing")
[ "$code" = 404 ] && ok || bad "curl 404: got $code"
head -c 100000 /dev/zero >"$TMP/body"
if curl -s --max-time 5 --data-binary @"$TMP/body" "http://127.0.0.1:$port/upload" | grep -q 'uploaded 100000 bytes'
then ok; else bad "curl POST /upload"; fi

# Bad input, each from a client that then checks the server still serves.
python3 - "$port" >"$TMP/bad.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5)
    return s
def status(s):
    d = s.recv(4096)
    return d.split(b"\r\n")[0].decode() if d else "closed"
s = conn(); s.sendall(b"\x00\x01 not http at all\r\n\r\n"); print("garbage", status(s))
s = conn(); s.sendall(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n"); print("toolong", status(s))
s = conn(); t = time.time(); r = status(s); print("silent", r, "%.1f" % (time.time() - t))
s = conn(); s.sendall(b"POST /upload HTTP/1.1\r\nContent-Length: 5000\r\n\r\nonly this"); print("lying", status(s))
s = conn(); t = time.time(); s.settimeout(0.1); r = None
for ch in b"GET /page HTTP/1.1\r\nHost: slow\r\nX-Pad: " + b"a" * 40:
    try:
        s.send(bytes([ch]))
    except OSError:
        break
    try:
        r = s.recv(200)
        break
    except socket.timeout:
        pass
print("trickle", r.split(b"\r\n")[0].decode() if r else "none", "%.1f" % (time.time() - t))
s = conn(); s.sendall(b"POST /upload HTTP/1.1\r\nContent-Length: 5000\r\n\r\npart"); s.close()
s = conn(); s.sendall(b"GET /page HTTP/1.1\r\nHost: x\r\n\r\nGET /page HTTP/1.1\r\nConnection: close\r\n\r\n")
d = b""
while True:
    b = s.recv(4096)
    if not b: break
    d += b
print("pipelined", d.count(b"HTTP/1.1 200"))
PY
expect_grep "$TMP/bad.out" 'garbage HTTP/1.1 400' "garbage: 400"
expect_grep "$TMP/bad.out" 'toolong HTTP/1.1 431' "a head too long: 431"
expect_grep "$TMP/bad.out" 'silent HTTP/1.1 408' "slowloris: 408 after the timeout"
expect_grep "$TMP/bad.out" 'lying HTTP/1.1 408' "a lying Content-Length: 408"
expect_grep "$TMP/bad.out" 'trickle HTTP/1.1 408 Request Timeout 0\.[345]' "a head a byte at a time: 408 at the timeout"
expect_grep "$TMP/bad.out" 'pipelined 2' "keep-alive, two requests pipelined"
if curl -s --max-time 5 "http://127.0.0.1:$port/page" | grep -q 'a page'
then ok; else bad "the server still serves after bad input"; fi
if command -v wrk >/dev/null 2>&1; then
	wrk -t1 -c8 -d1s "http://127.0.0.1:$port/page" >"$TMP/wrk.out" 2>&1
	expect_grep "$TMP/wrk.out" 'Requests/sec' "wrk loads it"
	expect_no_grep "$TMP/wrk.out" 'Non-2xx' "wrk: every answer 200"
fi
if command -v ab >/dev/null 2>&1; then
	ab -q -k -n 200 -c 4 "http://127.0.0.1:$port/page" >"$TMP/ab.out" 2>&1
	expect_grep "$TMP/ab.out" 'Failed requests: *0' "ab with keep-alive (HTTP/1.0)"
fi
sleep 0.5	# the abandoned upload's timeout
fds1=$(ls /proc/$pid/fd | wc -l)
[ "$fds0" = "$fds1" ] && ok || bad "descriptors: $fds0 before, $fds1 after"

# A thousand idle connections: the loop sleeps in epoll_wait.
python3 - "$port" "$pid" >"$TMP/idle.out" 2>&1 <<'PY'
import os, socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def cpu():
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(1000)]
time.sleep(0.2)
n = len(os.listdir("/proc/%s/fd" % pid))
c0, t0 = cpu(), time.time()
time.sleep(1.5)
c1, t1 = cpu(), time.time()
print("open", n, "cpu_fraction %.4f" % ((c1 - c0) / (t1 - t0)))
PY
PY_IDLE=$(sed -n 's/.*cpu_fraction \([0-9.]*\).*/\1/p' "$TMP/idle.out")
N_OPEN=$(sed -n 's/^open \([0-9]*\).*/\1/p' "$TMP/idle.out")
[ "${N_OPEN:-0}" -ge 1000 ] && ok || bad "a thousand connections open: $(cat "$TMP/idle.out")"
# A tick is 10 ms: less than 3% of a core is at most four ticks.
ratio_ok 0.03 "${PY_IDLE:-1}" 1 "idle connections cost the loop no CPU"

kill -TERM $pid
wait $pid
rc=$?
[ "$rc" = 0 ] && ok || bad "external: exit $rc after SIGTERM"
expect_grep "$TMP/ext.out" 'served ' "external: the summary"
expect_grep "$TMP/ext.out" 'bad_request 1' "summary: garbage counted"
expect_grep "$TMP/ext.out" 'header_too_long 1' "summary: head too long counted"
expect_grep "$TMP/ext.out" 'disconnected 1' "summary: abandoned upload counted"
expect_grep "$TMP/ext.out" 'timeout' "summary: timeouts counted"

# --- Out of descriptors: refused at once, and served again after -------
(ulimit -n 48; exec "$DISHRACK" --headless --set server.clients=external \
    --set server.model=async --set server.timeout=0 \
    "$SCENARIOS/webserver.scn") >"$TMP/emfile.out" 2>&1 &
pid=$!
port=
for i in $(seq 50); do
	port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/emfile.out")
	[ -n "$port" ] && break
	sleep 0.1
done
python3 - "$port" >"$TMP/emfile.py" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(80)]
time.sleep(0.5)
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        if s.recv(10) == b"":
            closed += 1
    except BlockingIOError:
        pass
print("closed", closed)
for s in socks:
    s.close()
PY
sleep 0.3
if curl -s --max-time 5 "http://127.0.0.1:$port/page" | grep -q 'a page'
then ok; else bad "out of descriptors: the server serves again after"; fi
expect_grep "$TMP/emfile.py" 'closed [1-9]' "out of descriptors: the extra connections are closed at once"
kill -TERM $pid; wait $pid
expect_grep "$TMP/emfile.out" 'too_many [1-9]' "out of descriptors: counted"

# --- processes:N: the children serve, and go with the run ---------------
"$DISHRACK" --headless --set server.clients=external \
    --set server.model=processes:3 "$SCENARIOS/webserver.scn" \
    >"$TMP/proc.out" 2>&1 &
pid=$!
port=
for i in $(seq 50); do
	port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/proc.out")
	[ -n "$port" ] && break
	sleep 0.1
done
n=$(pgrep -P $pid | wc -l)
[ "$n" = 3 ] && ok || bad "processes:3: $n children"
if curl -s --max-time 5 "http://127.0.0.1:$port/page" | grep -q 'processes:3 worker'
then ok; else bad "processes:3 serves a page"; fi
kill -TERM $pid; wait $pid
rc=$?
[ "$rc" = 0 ] && ok || bad "processes:3: exit $rc after SIGTERM"
sleep 0.2
if pgrep -f "dishrack --headless --set server.clients=external --set server.model=processes:3" >/dev/null
then bad "processes:3: a child outlived the run"; else ok; fi
expect_grep "$TMP/proc.out" 'served *1 pages' "processes:3: the children's page counted"
# Killed outright, its children go with it (PR_SET_PDEATHSIG).
"$DISHRACK" --headless --set server.clients=external \
    --set server.model=processes:2 "$SCENARIOS/webserver.scn" \
    >"$TMP/proc2.out" 2>&1 &
pid=$!
sleep 0.5
kids=$(pgrep -P $pid | tr '\n' ' ')
kill -KILL $pid; wait $pid 2>/dev/null
sleep 0.3
left=0
# A zombie has died: whoever inherited it may be slow to reap it.
for k in $kids; do
	st=$(sed 's/.*) \(.\).*/\1/' "/proc/$k/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && left=$((left + 1))
done
[ -n "$kids" ] && [ $left = 0 ] && ok || bad "processes:2 killed: children '$kids', $left left"

# --- Refusals --------------------------------------------------------------
expect_exit 2 "bad model" -- "$DISHRACK" --headless --set server.model=fork \
    "$SCENARIOS/webserver.scn"
expect_grep "$TMP/err" 'expected sync, threads:N' "bad model: the choices"
expect_exit 2 "bad listen" -- "$DISHRACK" --headless \
    --set server.listen=nowhere "$SCENARIOS/webserver.scn"
expect_grep "$TMP/err" 'ADDRESS:PORT' "bad listen: what is expected"
expect_exit 2 "external matrix" -- "$DISHRACK" --headless \
    --set server.clients=external --matrix 'server.model=sync,async' \
    "$SCENARIOS/webserver.scn"
expect_grep "$TMP/err" 'no end to measure' "external matrix: why not"
expect_lines "$TMP/out" 0 "external matrix: no table begun"
expect_exit 2 "virtual clock" -- "$DISHRACK" --headless --clock virtual \
    "$SCENARIOS/webserver.scn"
expect_grep "$TMP/err" 'real clock' "virtual clock: why not"
# A port in use is a run error named by its key.
python3 - "$DISHRACK" "$SCENARIOS/webserver.scn" >"$TMP/inuse.out" 2>&1 <<'PY'
import socket, subprocess, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
r = subprocess.run([sys.argv[1], "--headless", "--set",
    "server.listen=127.0.0.1:%d" % s.getsockname()[1], sys.argv[2]],
    capture_output=True, text=True)
print("exit", r.returncode, r.stderr.strip())
PY
expect_grep "$TMP/inuse.out" 'exit 1 dishrack: server.listen: cannot listen on 127.0.0.1:[0-9]*: Address already in use' "port in use"
finish
