#!/usr/bin/env python3
# trace-check.py FILE: check a Chrome trace-event JSON file against the
# format's rules as Perfetto and chrome://tracing read them: it parses;
# each event has its fields; a thread's complete slices nest; the
# timestamps of each track are in order; every flow has one start and
# one end, the start inside a slice of its thread; metadata names every
# process and every thread. Prints one line per problem (at most 20) and
# exits 1, or prints a summary and exits 0.
import json
import sys
from collections import defaultdict

problems = []


def problem(msg):
    problems.append(msg)


def main(path):
    with open(path, encoding='utf-8') as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get('traceEvents'), list):
        problem('no traceEvents array')
        return
    events = doc['traceEvents']
    pnames, tnames = {}, {}
    last_ts = {}
    stacks = defaultdict(list)
    slices = defaultdict(list)
    flows = defaultdict(lambda: {'s': [], 'f': []})
    used_threads, used_pids = set(), set()
    for i, e in enumerate(events):
        ph = e.get('ph')
        if ph not in ('X', 'C', 'i', 's', 'f', 'M'):
            problem('event %d: phase %r' % (i, ph))
            continue
        if not isinstance(e.get('pid'), int) or not isinstance(e.get('name'), str):
            problem('event %d: no pid or name' % i)
            continue
        if ph == 'M':
            if e['name'] == 'process_name':
                pnames[e['pid']] = e['args']['name']
            elif e['name'] == 'thread_name':
                tnames[(e['pid'], e['tid'])] = e['args']['name']
            continue
        ts = e.get('ts')
        if not isinstance(ts, (int, float)) or ts < 0 or not isinstance(e.get('tid'), int):
            problem('event %d: bad ts or tid' % i)
            continue
        track = (e['pid'], e['tid'])
        used_pids.add(e['pid'])
        if track in last_ts and ts < last_ts[track]:
            problem('event %d: ts %s before %s on track %s' % (i, ts, last_ts[track], track))
        last_ts[track] = ts
        if ph == 'X':
            used_threads.add(track)
            dur = e.get('dur')
            if not isinstance(dur, (int, float)) or dur < 0:
                problem('event %d: bad dur' % i)
                continue
            end = ts + dur
            st = stacks[track]
            while st and ts >= st[-1] - 1e-9 and not (end <= st[-1] + 1e-9 and ts < st[-1]):
                st.pop()
            if st and end > st[-1] + 1e-9:
                problem('event %d: slice [%s, %s] overlaps its parent ending %s on %s'
                        % (i, ts, end, st[-1], track))
            st.append(end)
            slices[track].append((ts, end))
        elif ph in ('s', 'f'):
            used_threads.add(track)
            flows[e.get('id')][ph].append((ts, track))
    for fid, sf in flows.items():
        if len(sf['s']) != 1 or len(sf['f']) != 1:
            problem('flow %s: %d starts, %d ends' % (fid, len(sf['s']), len(sf['f'])))
            continue
        (ts, tr), (tf, _) = sf['s'][0], sf['f'][0]
        if tf < ts:
            problem('flow %s ends before it starts' % fid)
        if not any(a <= ts <= b for a, b in slices[tr]):
            problem('flow %s starts outside any slice of %s' % (fid, tr))
    for t in sorted(used_threads):
        if t not in tnames:
            problem('thread %s has no thread_name' % (t,))
    for p in sorted(used_pids):
        if p not in pnames:
            problem('process %d has no process_name' % p)
    if not problems:
        nx = sum(1 for e in events if e.get('ph') == 'X')
        print('%s: %d events, %d slices, %d flows, %d threads: ok'
              % (path, len(events), nx, len(flows), len(tnames)))


try:
    main(sys.argv[1])
except (OSError, ValueError, KeyError, TypeError) as exc:
    problem('cannot read: %s' % exc)
for p in problems[:20]:
    print('%s: %s' % (sys.argv[1], p))
sys.exit(1 if problems else 0)
