#!/bin/sh
# fuzz-corpus.sh: every input kept in fuzz/corpus/ (the seeds and each
# crash the fuzzers ever found) through its target, in every build.
. "$(dirname "$0")/lib.sh"

bin=$(dirname "$DISHRACK")/../fuzz
corpus=$SCENARIOS/../fuzz/corpus
for t in scenario set matrix http recording; do
	expect_exit 0 "replay $t" -- "$bin/replay_$t" "$corpus/$t"
	expect_grep "$TMP/out" "inputs" "replay $t ran"
done
# The shipped scenarios are the scenario target's first seeds.
expect_exit 0 "replay the shipped scenarios" -- "$bin/replay_scenario" "$SCENARIOS"
finish
