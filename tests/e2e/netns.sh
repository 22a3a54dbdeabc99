#!/bin/bash
# netns.sh: two hosts, for real: the test makes two network namespaces
# joined by a veth pair (its own test hosts, on addresses only they have),
# runs redis-server and the washer's run on host A and a dryer agent on
# host B, and checks the lecture's two programs across the link. Skipped,
# with the reason, where namespaces cannot be made (not root, no
# CAP_SYS_ADMIN) or redis-server is not installed.
. "$(dirname "$0")/lib.sh"

skip() { echo "netns: skipped: $*"; exit 77; }
command -v ip >/dev/null || skip "no ip command (iproute2)"
command -v redis-server >/dev/null || skip "redis-server not installed"
[ "$(id -u)" = 0 ] || skip "making network namespaces needs root"

A=dra$$; B=drb$$
NET=10.199.$(($$ % 250)).
cleanup() {
	[ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$A" 2>/dev/null || skip "cannot make a network namespace here"
ip netns add "$B" || skip "cannot make a second network namespace"
ip link add "v$A" type veth peer name "v$B" || skip "cannot make a veth pair"
ip link set "v$A" netns "$A"
ip link set "v$B" netns "$B"
ip -n "$A" addr add "${NET}1/24" dev "v$A"
ip -n "$B" addr add "${NET}2/24" dev "v$B"
for ns in "$A" "$B"; do
	ip -n "$ns" link set lo up
done
ip -n "$A" link set "v$A" up
ip -n "$B" link set "v$B" up

# Host A: its Redis listens on the link, with a password.
mkdir -p "$TMP/redis"
ip netns exec "$A" redis-server --bind "${NET}1" --port 6379 --dir "$TMP/redis" \
    --save '' --appendonly no --requirepass link-secret --daemonize no \
    >"$TMP/redis/log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do
	ip netns exec "$B" redis-cli -h "${NET}1" -a link-secret --no-auth-warning \
	    ping 2>/dev/null | grep -q PONG && break
	sleep 0.05
done
URL="redis://:link-secret@${NET}1:6379"

# Host A runs the washer, host B the dryer.
ip netns exec "$A" "$DISHRACK" --headless --set "scenario.transport=$URL" \
    --set dryer.where=agents --speed 2 redis-queue >"$TMP/a.out" 2>"$TMP/a.err" &
washer=$!
sleep 0.3
ip netns exec "$B" "$DISHRACK" agent "$URL" --station dryer --name host-b \
    >"$TMP/b.out" 2>"$TMP/b.err" &
dryer=$!
t=0
while kill -0 "$washer" 2>/dev/null && [ $t -lt 300 ]; do sleep 0.1; t=$((t + 1)); done
kill -0 "$washer" 2>/dev/null && { bad "two hosts: the washer's run hung"; kill -KILL "$washer"; }
wait "$washer"; rc=$?
[ $rc = 0 ] && ok || { bad "two hosts: the washer's run exited $rc"; cat "$TMP/a.err" >&2; }
wait "$dryer"; rc=$?
[ $rc = 0 ] && ok || { bad "two hosts: the agent exited $rc"; cat "$TMP/b.err" >&2; }
expect_grep "$TMP/a.out" "4 dried, 0 in racks, 0 in hands: conserved" "two hosts: conserved"
expect_grep "$TMP/a.out" "^Washed dessert$" "two hosts: host A washed"
expect_grep "$TMP/b.out" "^Dried dessert$" "two hosts: host B dried"
expect_grep "$TMP/b.out" "^Dishes are dried$" "two hosts: host B's dryer ended"
expect_grep "$TMP/b.err" "joined the run on redis://${NET}1:6379/0" "two hosts: the agent names the run"
expect_no_grep "$TMP/a.out" "link-secret" "two hosts: no password in A's output"
expect_no_grep "$TMP/b.err" "link-secret" "two hosts: no password in B's messages"
finish
