#!/bin/sh
# web-screen.sh: the web server's screen in a real terminal (tmux): the
# workers, a row per connection, the accept queue behind a sync server's
# upload, the latency histogram, the timeline, the summary; at 80x24 no
# row is cut into something else.
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "web-screen: tmux not installed"; exit 77
fi
T="tmux -S $TMP/tmux.sock"
trap '$T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# A new session only once the old server has gone: one still exiting
# takes the new session down with it ("server exited unexpectedly").
fresh() {
	$T kill-server 2>/dev/null
	i=0
	while [ -S "$TMP/tmux.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
screen() { $T capture-pane -p -t w >"$TMP/screen" 2>/dev/null; }
wait_for() {
	i=0
	while [ $i -lt $(( ${2:-10} * 10 )) ]; do
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

# run W H ARGS...: dishrack on a fresh pane, its exit status kept.
run() {
	w=$1; h=$2; shift 2
	fresh
	rm -f "$TMP/status"
	$T -f /dev/null new-session -d -s w -x "$w" -y "$h" \
	    "$DISHRACK --exit-when-done $* $SCENARIOS/webserver.scn; echo \$? >$TMP/status; sleep 30"
}

run 80 24 --set server.model=sync --set visitors.pages=40
expect_screen 'server sync' "sync: the server's box"
expect_screen 'upload .*body' "sync: the upload's row, its state in a word at 80 columns"
expect_screen "accept queue" "sync: pages wait in the kernel's accept queue"
expect_screen 'page latency' "sync: the histogram"
expect_screen 'timeline' "sync: the timeline"
# No row of the connections box runs into its border.
if grep -E '^│ client +kind +bytes +state +for +│' "$TMP/screen" >/dev/null; then ok
else bad "80x24: the connections' header is whole"; sed 's/^/  | /' "$TMP/screen" >&2; fi
i=0
while [ ! -s "$TMP/status" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$TMP/status" 2>/dev/null)" = 0 ] && ok || bad "sync on the screen: exit $(cat "$TMP/status" 2>/dev/null)"

W=100; H=30
run 100 30 --set server.model=threads:4 --set visitors.pages=30 --set server.clients=scenario
expect_screen 'worker 4 ' "threads:4: each worker a row"
expect_screen 'receiving an upload' "threads:4: a worker receives the upload"
i=0
while [ ! -s "$TMP/status" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$TMP/status" 2>/dev/null)" = 0 ] && ok || bad "threads:4 on the screen: exit $(cat "$TMP/status" 2>/dev/null)"

# An ended run's clock stops at the summary's time (it ran on before).
fresh
$T -f /dev/null new-session -d -s w -x 100 -y 30 \
    "$DISHRACK --set server.model=async --set visitors.pages=10 --set visitors.upload_time=1s $SCENARIOS/webserver.scn; sleep 30"
expect_screen ' done ' "ended: the header says done" 20
first=$(head -1 "$TMP/screen")
sleep 1.2
screen
if [ "$(head -1 "$TMP/screen")" = "$first" ]; then ok
else bad "ended: the header's clock ran on: '$first', then '$(head -1 "$TMP/screen")'"; fi
ended=$(grep -o ', [0-9.]* s ' "$TMP/screen" | head -1 | tr -dc '0-9.')
case $first in
*" ${ended}s"*) ok ;;
*) bad "ended: header '$first' is not the summary's ${ended} s" ;;
esac

# An outside client shows up as a row; q ends the run, exit 0.
fresh
rm -f "$TMP/status"
$T -f /dev/null new-session -d -s w -x 200 -y 50 \
    "$DISHRACK --set server.model=async --set server.clients=external --set server.timeout=0 $SCENARIOS/webserver.scn; echo \$? >$TMP/status; sleep 30"
expect_screen 'in epoll_wait' "async: the loop sleeps in epoll_wait" 20
port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TMP/screen" | head -1)
[ -n "$port" ] || { bad "external: no address on the screen"; finish; exit; }
python3 - "$port" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /upload HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + b"x" * 3000)
time.sleep(3)
PY
expect_screen '127.0.0.1:[0-9]* *upload .*receiving an upload' "external: a client's upload has its row"
wait
$T send-keys -t w q
i=0
while [ ! -s "$TMP/status" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$TMP/status" 2>/dev/null)" = 0 ] && ok || bad "external on the screen: q, exit $(cat "$TMP/status" 2>/dev/null)"
finish
