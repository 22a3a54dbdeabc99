#!/bin/sh
# matrix.sh: the lecture's GIL table from one command, exact on the virtual
# clock and as ratios on the real one.
. "$(dirname "$0")/lib.sh"

m='mode=threads,processes gil=on,off'

expect_exit 0 "virtual matrix" -- "$DISHRACK" --headless --clock virtual \
    --matrix "$m" gil-cpu
expect_lines "$TMP/out" 5 "a header and four rows"
expect_grep "$TMP/out" "^threads *on *1.600 *1.00x" "threads with the GIL: no speed-up"
expect_grep "$TMP/out" "^threads *off *0.800 *2.00x" "threads without: two cores"
expect_grep "$TMP/out" "^processes *on *0.800 *2.00x" "processes escape the GIL"

expect_exit 0 "virtual matrix, I/O" -- "$DISHRACK" --headless --clock virtual \
    --matrix "$m" gil-io
expect_grep "$TMP/out" "^threads *on *0.400 *4.00x" "I/O threads overlap despite the GIL"

expect_exit 0 "JSON matrix" -- "$DISHRACK" --headless --json --clock virtual \
    --matrix "$m" gil-cpu
expect_grep "$TMP/out" '"rows":\[{"params":{"mode":"threads","gil":"on"}' "JSON rows"
expect_grep "$TMP/out" '"speedup":2.0000' "JSON speed-up"
if command -v python3 >/dev/null 2>&1; then
	if python3 -m json.tool "$TMP/out" >/dev/null; then ok; else
		bad "matrix JSON does not parse"; fi
fi

# Real runs: the shape, with generous bounds (two cores or more).
expect_exit 0 "real matrix" -- "$DISHRACK" --headless --json --speed 2 \
    --matrix "$m" gil-cpu
speed() {
	python3 -c "import json,sys; d=json.load(open('$TMP/out'));
print([r['speedup'] for r in d['rows'] if r['params']=={'mode':'$1','gil':'$2'}][0])"
}
if command -v python3 >/dev/null 2>&1; then
	s=$(speed threads on)
	if awk -v s="$s" 'BEGIN { exit !(s > 0.6 && s < 1.3) }'; then ok; else
		bad "real threads with the GIL sped up ${s}x"; fi
	if [ "$(nproc)" -ge 2 ]; then
		s=$(speed processes on)
		if awk -v s="$s" 'BEGIN { exit !(s > 1.3) }'; then ok; else
			bad "real processes sped up only ${s}x"; fi
	fi
fi

expect_exit 2 "matrix without values" -- "$DISHRACK" --headless --matrix mode gil-cpu
expect_grep "$TMP/err" "expected KEY=V1,V2" "matrix syntax message"
expect_exit 2 "matrix without --headless" -- "$DISHRACK" --matrix "$m" gil-cpu
expect_exit 2 "matrix with an unknown key" -- "$DISHRACK" --headless --matrix 'gill=on' gil-cpu
expect_grep "$TMP/err" "did you mean" "matrix key suggestion"
finish
