#!/bin/sh
# i18n.sh: the Korean catalogue (doc/i18n.md): complete, well-formed, found
# from the build tree; the Korean screen in a real terminal (tmux) with its
# boxes aligned at two columns a glyph; and what must never be translated
# (JSON keys, the workers' words the lecture prints) the same in Korean.
. "$(dirname "$0")/lib.sh"

# lib.sh keeps the messages English for the other tests; here each
# command says what it asks for.
unset LC_MESSAGES
KO="env LANG=C.UTF-8 LANGUAGE=ko"

if [ "${USE_NLS:-no}" != yes ]; then
	# --disable-nls: English whatever the environment asks for.
	expect_exit 2 "no NLS: bad option" -- $KO "$DISHRACK" --bogus
	expect_grep "$TMP/err" "unknown option" "no NLS: English error"
	finish; exit $?
fi

# --- The catalogue: every message marked in the sources has a Korean
# msgstr, none empty, none fuzzy, every printf directive kept. ------------
PO="$TOP_SRCDIR/po/ko.po"
if [ -x "${XGETTEXT:-}" ] && [ -x "${MSGCMP:-}" ]; then
	grep -v '^#' "$TOP_SRCDIR/po/POTFILES.in" >"$TMP/potfiles"
	# shellcheck disable=SC2086
	if "$XGETTEXT" $XGETTEXT_OPTS -D "$TOP_SRCDIR" -f "$TMP/potfiles" \
	    -o "$TMP/dishrack.pot" 2>"$TMP/xgettext.err"; then ok; else
		bad "xgettext failed"; head -5 "$TMP/xgettext.err" >&2
	fi
	# msgcmp: each msgid of the template translated in ko.po; a fuzzy
	# or empty msgstr counts as missing.
	if "$MSGCMP" "$PO" "$TMP/dishrack.pot" 2>"$TMP/msgcmp.err"; then ok
	else
		bad "po/ko.po is incomplete (make update-po, then translate):"
		grep -v -e '^msgcmp: found' -e 'is not used$' "$TMP/msgcmp.err" |
		    head -20 >&2
	fi
	# Every source that marks messages is read for them.
	(cd "$TOP_SRCDIR" && grep -l -E '[^A-Za-z_]N?_\("' src/*.c src/*/*.c) |
	    sort >"$TMP/marked"
	sort "$TMP/potfiles" >"$TMP/listed"
	missing=$(comm -23 "$TMP/marked" "$TMP/listed")
	if [ -z "$missing" ]; then ok; else
		bad "sources with _() not in po/POTFILES.in: $missing"
	fi
else
	echo "i18n: xgettext or msgcmp not found: catalogue not compared"
fi
if "$MSGFMT" -c -o /dev/null "$PO" 2>"$TMP/msgfmt.err"; then ok; else
	bad "msgfmt -c po/ko.po"; head -5 "$TMP/msgfmt.err" >&2
fi
# The header's "#, fuzzy" would make gettext skip the whole catalogue.
if grep -q '^#, .*fuzzy' "$PO"; then bad "fuzzy entries in po/ko.po"; else ok; fi

# --- The command line: Korean when asked, English otherwise. -------------
expect_exit 0 "ko --help" -- $KO "$DISHRACK" --help
expect_grep "$TMP/out" "사용법: dishrack" "ko --help: Korean"
expect_grep "$TMP/out" "  --headless  " "ko --help: options keep their names"
expect_exit 2 "ko bad option" -- $KO "$DISHRACK" --bogus
expect_grep "$TMP/err" "^dishrack: 알 수 없는 옵션 '--bogus'" "ko: error in Korean"
expect_exit 2 "ko no such scenario" -- $KO "$DISHRACK" --headless seed_threads
expect_grep "$TMP/err" "seed-threads 말인가요" "ko: suggestion in Korean"
printf '[dryer]\ncont = 3\n' >"$TMP/typo.scn"
expect_exit 2 "ko scenario typo" -- $KO "$DISHRACK" --check "$TMP/typo.scn"
expect_grep "$TMP/err" "typo.scn:2:1: 알 수 없는 키 'cont' (\[dryer\] 안), 'count' 말인가요?" \
    "ko: scenario error in Korean, at its place"
# The agent's own words, and its usage, are Korean too.
expect_exit 2 "ko agent --count" -- $KO "$DISHRACK" agent redis://127.0.0.1:1 \
    --station dryer --count 0
expect_grep "$TMP/err" "^dishrack agent: --count: 1에서 [0-9]* 사이여야 하는데 '0'입니다" \
    "ko: the agent's error in Korean"
# A value's error: Korean prose, the place and the quoted value verbatim.
printf '[dryer]\ncount = 3x\n' >"$TMP/value.scn"
expect_exit 2 "ko bad value" -- $KO "$DISHRACK" --check "$TMP/value.scn"
expect_grep "$TMP/err" "value.scn:2:9: 1 이상의 개수가 필요한데 '3x'입니다" \
    "ko: a value's error in Korean, at its place"
expect_exit 2 "en bad value" -- env LANG=C.UTF-8 "$DISHRACK" --check "$TMP/value.scn"
expect_grep "$TMP/err" "value.scn:2:9: expected a count >= 1, found '3x'" \
    "en: a value's error unchanged"
printf '[scenario]\nmode = thread\n[washer]\n' >"$TMP/enum.scn"
expect_exit 2 "ko bad choice" -- $KO "$DISHRACK" --check "$TMP/enum.scn"
expect_grep "$TMP/err" "enum.scn:2:8: threads, processes 또는 async 중 하나가 필요한데 'thread'입니다" \
    "ko: a choice's error keeps the values as they are"
expect_exit 2 "ko bad --set" -- $KO "$DISHRACK" --headless --set dryer.time=abc seed-threads
expect_grep "$TMP/err" "dryer.time: 2s, 150ms, 1s..3s, exp(2s) 같은 시간이 필요한데 'abc'입니다" \
    "ko: a --set value's error in Korean"
# The program's own errors, which name no place in a scenario: a run
# that cannot start its Redis or its ZeroMQ sockets, a --matrix refused.
# (robustness.sh says the broker's outage and return in Korean.)
if "$DISHRACK" --check --set scenario.transport=redis seed-threads 2>/dev/null; then
	mkdir -p "$TMP/rt"
	expect_exit 1 "ko no redis-server" -- $KO PATH=/nonexistent TMPDIR="$TMP/rt" \
	    "$DISHRACK" --headless -q --set scenario.transport=redis seed-threads
	expect_grep "$TMP/err" "^dishrack: transport = redis에는 PATH에 redis-server가 필요합니다 (Debian: apt-get install redis-server)$" \
	    "ko: a run's own error in Korean"
	expect_exit 1 "en no redis-server" -- env LANG=C.UTF-8 PATH=/nonexistent \
	    TMPDIR="$TMP/rt" "$DISHRACK" --headless -q --set scenario.transport=redis seed-threads
	expect_grep "$TMP/err" "^dishrack: transport = redis needs redis-server on PATH (Debian: apt-get install redis-server)$" \
	    "en: a run's own error unchanged"
	[ -z "$(ls "$TMP/rt")" ] && ok || bad "no redis-server: left $(ls "$TMP/rt")"
fi
if "$DISHRACK" --check --set scenario.transport=zmq seed-threads 2>/dev/null; then
	long=$TMP/$(printf '%0100d' 0)
	expect_exit 2 "ko TMPDIR too long" -- $KO TMPDIR="$long" \
	    "$DISHRACK" --headless -q --set scenario.transport=zmq seed-threads
	expect_grep "$TMP/err" "^dishrack: ipc:// 소켓에 쓰기에는 TMPDIR이 너무 깁니다 ($long)$" \
	    "ko: ZeroMQ's error in Korean"
fi
expect_exit 2 "ko --matrix keys" -- $KO "$DISHRACK" --headless \
    --matrix 'a=1 b=2 c=3 d=4 e=5' seed-threads
expect_grep "$TMP/err" "^dishrack: --matrix: 키는 최대 4개입니다$" "ko: --matrix's error in Korean"
expect_exit 2 "ko --matrix word" -- $KO "$DISHRACK" --headless --matrix dryer.count seed-threads
expect_grep "$TMP/err" "^dishrack: --matrix: KEY=V1,V2 ...가 필요한데 'dryer.count'입니다$" \
    "ko: --matrix's word quoted as it is"
expect_exit 2 "en --matrix keys" -- env LANG=C.UTF-8 "$DISHRACK" --headless \
    --matrix 'a=1 b=2 c=3 d=4 e=5' seed-threads
expect_grep "$TMP/err" "^dishrack: --matrix: at most 4 keys$" "en: --matrix's error unchanged"
# A recording that is not one: the words Korean, the file's name as given.
printf '{"x":1}\n' >"$TMP/notrec.jsonl"
expect_exit 2 "ko --replay not a recording" -- $KO "$DISHRACK" --headless --replay "$TMP/notrec.jsonl"
expect_grep "$TMP/err" "notrec.jsonl:1: dishrack 기록이 아닙니다 (첫 줄이 기록의 머리 줄이 아님)$" \
    "ko: --replay's error in Korean"
expect_exit 2 "en bad option" -- env LANG=C.UTF-8 "$DISHRACK" --bogus
expect_grep "$TMP/err" "unknown option '--bogus'" "default: English"
# In the C locale gettext ignores LANGUAGE: its text could not be shown.
expect_exit 2 "C locale" -- env LANG=C LC_ALL=C LANGUAGE=ko "$DISHRACK" --bogus
expect_grep "$TMP/err" "unknown option" "C locale: English"
# LANG=ko_KR.UTF-8 itself, where the locale is generated (locale-gen).
if locale -a 2>/dev/null | grep -qi '^ko_KR\.utf-\?8$'; then
	expect_exit 2 "ko_KR locale" -- env LANG=ko_KR.UTF-8 "$DISHRACK" --bogus
	expect_grep "$TMP/err" "알 수 없는 옵션" "LANG=ko_KR.UTF-8: Korean"
else
	echo "i18n: no ko_KR.UTF-8 locale (locale-gen): LANGUAGE=ko only"
fi

# --- What is never translated. --------------------------------------------
# The workers' words are the lecture's, in any language.
expect_exit 0 "ko lecture" -- $KO "$DISHRACK" --headless --clock virtual seed-threads
sed '/^== /,$d' "$TMP/out" | sed '$d' >"$TMP/words"
if cmp -s "$TMP/words" "$(dirname "$0")/lecture-threads.txt"; then ok; else
	bad "Korean run's words differ from the lecture"
	diff "$(dirname "$0")/lecture-threads.txt" "$TMP/words" | head >&2
fi
# JSON: the same keys, and the same figures in virtual time.
$KO "$DISHRACK" --headless --json --quiet --clock virtual seed-threads \
    >"$TMP/ko.json" 2>/dev/null
env LANG=C.UTF-8 "$DISHRACK" --headless --json --quiet --clock virtual \
    seed-threads >"$TMP/en.json" 2>/dev/null
if python3 - "$TMP/ko.json" "$TMP/en.json" <<'EOF'; then ok; else bad "JSON differs in Korean"; fi
import json, sys
def strip(v):
    # Wall time and pids are the machine's, not the run's.
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items()
                if "wall" not in k and k not in ("pid", "tid")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
a, b = (strip(json.load(open(f))) for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)
EOF

# The theory table of the summary: Korean labels and verdict, its figures
# in the English run's columns (a Korean glyph is two).
# theory_aligned FILE WHAT: every row of two figures (the table's, or the
# theory pane's inside its box) ends them at the same two columns.
theory_aligned() {
	if python3 - "$1" <<'EOF'; then ok; else bad "$2: theory columns out of line"; sed 's/^/  | /' "$1" >&2; fi
import re, sys, unicodedata
def cols(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
rows = 0
base = None
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if "\u2502" in line:
        parts = line.split("\u2502")
        line = parts[-2] if len(parts) >= 3 else line
    # a row of two figures: a label, then two values (a figure or "-")
    m = re.match(r"^( +\S.*?)  +(\S+) +(\S+) *$", line)
    if not m or not re.search(r"[0-9]", m.group(3)) or "=" in line:
        continue
    ends = (cols(line[:m.end(2)]), cols(line[:m.end(3)]))
    if base is None:
        base = ends
    rows += 1
    if ends != base:
        print("row", repr(line), "ends at", ends, "not", base); sys.exit(1)
sys.exit(0 if rows >= 5 else 1)
EOF
}
expect_exit 0 "ko theory" -- $KO "$DISHRACK" --headless --clock virtual -q bottleneck
sed -n '/^이론/,$p' "$TMP/out" >"$TMP/theory.ko"
expect_grep "$TMP/theory.ko" "^  처리량 " "theory: rows in Korean"
expect_grep "$TMP/theory.ko" "^  가동 dryer " "theory: station rows in Korean"
expect_grep "$TMP/theory.ko" "^  처리능력 dryer .* 작업자 1명 / 3초" "theory: a limit in Korean"
expect_grep "$TMP/theory.ko" "^  측정값과 예측값이 1 % 안에서 일치" "theory: the verdict in Korean"
theory_aligned "$TMP/theory.ko" "ko summary"
expect_exit 0 "ko theory queueing" -- $KO "$DISHRACK" --headless --clock virtual -q queueing
expect_grep "$TMP/out" "가장 큰 차이: 깊이 (teller 앞), 측정값 0.598, 예측값 0.889 (-33 %): 시작 편향" \
    "theory: the largest difference and its cause in Korean"
expect_exit 0 "en theory" -- env LANG=C.UTF-8 "$DISHRACK" --headless --clock virtual -q bottleneck
sed -n '/^theory/,$p' "$TMP/out" >"$TMP/theory.en"
theory_aligned "$TMP/theory.en" "en summary"
expect_grep "$TMP/theory.en" "^  busy dryer  *90.0%  *90.0%" "theory: English rows unchanged"
# The deadlock's cycle in the summary, worded again in Korean.
expect_exit 1 "ko deadlock" -- $KO "$DISHRACK" --headless --clock virtual -q deadlock
expect_grep "$TMP/out" "^교착상태    dryer-1: cloth 기다림, dryer-2 보유" "deadlock: the summary's cycle in Korean"

# A headless --cast: the screen it records, every row 100 columns with
# Korean in it (a wide glyph fills two cells, and is written once).
expect_exit 0 "ko cast" -- $KO "$DISHRACK" --headless --clock virtual \
    --cast "$TMP/ko.cast" seed-threads
if python3 - "$TMP/ko.cast" <<'EOF'; then ok; else bad "Korean cast rows are not 100 columns"; fi
import json, re, sys, unicodedata
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
rows = {}
for line in lines[1:]:
    if not line.strip():
        continue
    e = json.loads(line)
    for m in re.finditer(r"\x1b\[(\d+);1H(.*?)(?=\x1b\[\d+;1H|$)", e[2], re.S):
        rows[int(m.group(1))] = re.sub(r"\x1b\[[0-9;]*m", "", m.group(2))
def cols(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
korean = any(re.search("[\uac00-\ud7a3]", r) for r in rows.values())
sys.exit(0 if len(rows) == 30 and korean and
         all(cols(r) == 100 for r in rows.values()) else 1)
EOF

# --- The Korean screen in tmux. --------------------------------------------
if ! command -v tmux >/dev/null 2>&1; then
	echo "i18n: tmux not installed: no screen checks"; finish; exit $?
fi
n=0
T=true
end_pane() {
	pane=$($T display-message -p -t ko '#{pane_pid}' 2>/dev/null) ||
	    { $T kill-server 2>/dev/null; return 0; }
	pkill -TERM -s "$pane" -x dishrack 2>/dev/null
	i=0
	while pgrep -s "$pane" -x dishrack >/dev/null 2>&1 && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	$T kill-server 2>/dev/null
}
trap 'end_pane; rm -rf "$TMP"' EXIT
screen() { $T capture-pane -p -t ko >"$TMP/screen" 2>/dev/null; }
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		screen
		grep -q -- "$1" "$TMP/screen" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
expect_screen() {
	if wait_for "$1"; then ok; else
		bad "$2: screen lacks '$1'"; sed 's/^/  | /' "$TMP/screen" >&2
	fi
}
# start W H COMMAND: a fresh tmux server (a socket of its own: one that
# is still going away cannot take the next one with it) running COMMAND.
start() {
	end_pane
	n=$((n + 1))
	T="tmux -S $TMP/tmux.$n.sock"
	$T -f /dev/null new-session -d -s ko -x "$1" -y "$2" "$3; sleep 30"
}
# aligned WHAT [TITLE]: every box on the screen (or the one whose top
# border says TITLE) closes where it opens, counting columns as the
# terminal does (a Korean glyph is two): below each corner of its top
# border, a wall on every row, then the corners of its bottom border.
aligned() {
	if python3 - "$TMP/screen" "${2:-}" <<'EOF'; then ok; else bad "$1: boxes out of line"; sed 's/^/  | /' "$TMP/screen" >&2; fi
import sys, unicodedata
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
title = sys.argv[2]
def cells(line):
    out = []
    for ch in line:
        out.append(ch)
        if unicodedata.east_asian_width(ch) in "WF":
            out.append("")          # the second column of a wide glyph
    return out
grid = [cells(r) for r in rows]
def at(y, x):
    return grid[y][x] if y < len(grid) and x < len(grid[y]) else " "
bad = 0
boxes = 0
for y, row in enumerate(grid):
    for x, ch in enumerate(row):
        if ch != "\u250c":          # a top-left corner
            continue
        # Its top-right corner, then down both walls to the bottom.
        x2 = x + 1
        while x2 < len(row) and row[x2] not in ("\u2510", "\u250c"):
            x2 += 1
        if at(y, x2) != "\u2510":
            if not title:
                print("no top-right corner for the box at", y, x); bad += 1
            continue
        if title and title not in "".join(row[x:x2]):
            continue
        boxes += 1
        y2 = y + 1
        while y2 < len(grid) and at(y2, x) == "\u2502":
            if at(y2, x2) != "\u2502":
                print("row", y2, "wall at", x2, "is", repr(at(y2, x2)))
                bad += 1
            y2 += 1
        if at(y2, x) != "\u2514" or at(y2, x2) != "\u2518":
            print("bottom of the box at", y, x, "not at", y2, x2); bad += 1
sys.exit(1 if bad or boxes == 0 else 0)
EOF
}

for size in 200x50 100x30 80x24; do
	w=${size%x*}; h=${size#*x}
	start "$w" "$h" "LANG=C.UTF-8 LANGUAGE=ko $DISHRACK --speed 4 seed-threads"
	expect_screen "완료" "$size: worker rows in Korean"
	expect_screen "도움말" "$size: key bar in Korean"
	expect_screen "실행 중" "$size: header in Korean"
	expect_screen "타임라인" "$size: timeline in Korean"
	aligned "$size screen"
	# The help: Korean, and its box as straight as the rest.
	$T send-keys -t ko '?'
	expect_screen "도움말: 실행이 멈춰 있음" "$size: help in Korean"
	expect_screen "일시정지 / 계속" "$size: help explains the keys"
	aligned "$size help" "도움말"
	$T send-keys -t ko q
done
# Rewound: the frames kept are redrawn as they were, Korean and all.
start 100 30 "LANG=C.UTF-8 LANGUAGE=ko $DISHRACK seed-threads"
expect_screen "t=2\.[0-9]초" "rewind: the run at 2 s"
$T send-keys -t ko ','
expect_screen "되감기 t=" "rewind: its bar in Korean"
aligned "rewound screen"
# The theory pane ('t'): Korean rows, figures in line, its box closed.
start 100 30 "LANG=C.UTF-8 LANGUAGE=ko $DISHRACK --clock virtual --speed 4 bottleneck"
expect_screen "t=[1-9]" "theory pane: the run going"
$T send-keys -t ko t
expect_screen "이론: 지금까지의 실행" "theory pane: its title in Korean"
expect_screen "처리능력 dryer" "theory pane: its rows in Korean"
aligned "theory pane" "이론"
theory_aligned "$TMP/screen" "theory pane"
# What the engine refuses a key with, on the status line: a replay.
expect_exit 0 "ko record" -- $KO "$DISHRACK" --headless --clock virtual -q \
    --record "$TMP/ko.rec" seed-threads
start 100 30 "LANG=C.UTF-8 LANGUAGE=ko $DISHRACK --replay $TMP/ko.rec"
expect_screen "t=[0-9]" "replay: going"
$T send-keys -t ko a
expect_screen "재생 중: 기록된 실행은 그대로입니다" "replay: a refused key in Korean"
# The deadlock's cycle on the caption line, worded again in Korean.
start 100 30 "LANG=C.UTF-8 LANGUAGE=ko $DISHRACK --speed 4 deadlock"
expect_screen "교착상태: dryer-1: .* 기다림, dryer-2 보유" "deadlock: the cycle in Korean"
# The network panes: a broadcast's fan-out, and the web server's screen.
start 100 30 "LANG=C.UTF-8 LANGUAGE=ko $DISHRACK pubsub"
expect_screen "팬아웃  pub-1" "pubsub: the fan-out in Korean"
aligned "pubsub screen"
# A live change refused, on the status line: by the engine ({ on a
# broadcast), and by the screen (L with no cupboard).
$T send-keys -t ko '{'
expect_screen "방송에는 바꿀 용량이 없습니다" "pubsub: the engine's refusal in Korean"
$T send-keys -t ko L
expect_screen "이 실행에는 락을 걸 \[cupboard\]가 없습니다" "pubsub: the screen's refusal in Korean"
start 100 30 "LANG=C.UTF-8 LANGUAGE=ko $DISHRACK webserver"
expect_screen "페이지 지연" "web: the latency pane in Korean"
expect_screen "? 도움말   q 종료" "web: its key line in Korean"
aligned "web screen"
# The summary box at the end.
start 100 30 "LANG=C.UTF-8 LANGUAGE=ko $DISHRACK --clock virtual --speed 20 seed-threads"
expect_screen "q 종료, r 다시 실행" "summary: its keys in Korean"
expect_screen "요약" "summary: title in Korean"
aligned "summary" "요약"
end_pane

finish
