#!/usr/bin/env python3
"""trace_check.py - check a Chrome trace event JSON file as lockstep writes
it (src/cli/export.h), with the Python standard library only.

Always checked: the file is valid JSON with a traceEvents list; every event
has the fields its phase needs; on each track (pid, tid) the complete ("X")
slices are in time order and never overlap (one may start where the one
before ends); each track's events, each counter's and each scope's instants
come in time order; every flow (bind_id) has exactly one flow_out and one
flow_in end, the out no later than the in; every track with slices has a
thread_name.

--expect-flow, --expect-instant NAME, --expect-counter NAME and
--expect-slice PREFIX say what a given run must contain.  Exits 0 when all
holds, 1 with one line per problem otherwise, 2 on bad usage.
--self-test feeds the checker traces that each break one rule, and fails
unless it refuses every one of them.
"""

import argparse
import json
import os
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal


class Problems:
    def __init__(self, path):
        self.path = path
        self.lines = []

    def add(self, what):
        if len(self.lines) < 50:
            self.lines.append("%s: %s" % (self.path, what))


def number(v):
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def check(path, args, quiet=False):
    p = Problems(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
        doc = json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        p.add("not valid JSON: %s" % e)
        return p.lines
    events = doc.get("traceEvents") if isinstance(doc, dict) else doc
    if not isinstance(events, list):
        p.add("no traceEvents list")
        return p.lines

    last_ts = {}          # (kind, key) -> last ts, for time order
    last_end = {}         # (pid, tid) -> end of the last slice
    named = set()         # (pid, tid) with a thread_name
    sliced = set()        # (pid, tid) with slices
    flows = defaultdict(lambda: {"out": [], "in": []})
    instants, counters, slices = set(), set(), []

    for i, e in enumerate(events):
        where = "event %d" % i
        if not isinstance(e, dict) or not isinstance(e.get("ph"), str):
            p.add("%s: not an event with a phase" % where)
            continue
        ph = e["ph"]
        if not isinstance(e.get("pid"), int):
            p.add("%s: no pid" % where)
            continue
        if ph == "M":
            if e.get("name") == "thread_name":
                if not isinstance(e.get("tid"), int) or \
                        not isinstance(e.get("args", {}).get("name"), str):
                    p.add("%s: a thread_name without tid or name" % where)
                else:
                    named.add((e["pid"], e["tid"]))
            continue
        ts = e.get("ts")
        if not number(ts) or ts < 0:
            p.add("%s: ts %r is not a time" % (where, ts))
            continue
        if ph == "X":
            dur = e.get("dur")
            if not isinstance(e.get("tid"), int) or not number(dur) or \
                    dur < 0 or not isinstance(e.get("name"), str):
                p.add("%s: a slice needs tid, name and dur >= 0" % where)
                continue
            track = (e["pid"], e["tid"])
            sliced.add(track)
            if track in last_ts and ts < last_ts[track]:
                p.add("%s: %r at %s comes after %s on track %r" %
                      (where, e["name"], ts, last_ts[track], track))
            if track in last_end and ts < last_end[track]:
                p.add("%s: %r at %s overlaps the slice before it, which "
                      "ends at %s (track %r)" %
                      (where, e["name"], ts, last_end[track], track))
            last_ts[track] = ts
            last_end[track] = max(last_end.get(track, ts), ts + dur)
            slices.append(e["name"])
            if "bind_id" in e:
                if e.get("flow_out") is True:
                    flows[e["bind_id"]]["out"].append(ts)
                if e.get("flow_in") is True:
                    flows[e["bind_id"]]["in"].append(ts)
                if e.get("flow_out") is not True and \
                        e.get("flow_in") is not True:
                    p.add("%s: a bind_id with no direction" % where)
        elif ph == "C":
            key = ("C", e["pid"], e.get("name"))
            if not isinstance(e.get("args"), dict) or not all(
                    number(v) for v in e["args"].values()):
                p.add("%s: a counter needs numeric args" % where)
            if key in last_ts and ts < last_ts[key]:
                p.add("%s: counter %r goes back in time" %
                      (where, e.get("name")))
            last_ts[key] = ts
            counters.add(e.get("name"))
        elif ph in ("i", "I"):
            scope = e.get("s", "t")
            key = ("i", e["pid"], scope,
                   e.get("tid") if scope == "t" else None)
            if key in last_ts and ts < last_ts[key]:
                p.add("%s: instant %r goes back in time" %
                      (where, e.get("name")))
            last_ts[key] = ts
            instants.add(e.get("name"))
        else:
            p.add("%s: phase %r is not one lockstep writes" % (where, ph))

    for bind, ends in sorted(flows.items(), key=lambda kv: str(kv[0])):
        if len(ends["out"]) != 1 or len(ends["in"]) != 1:
            p.add("flow %r has %d out and %d in ends" %
                  (bind, len(ends["out"]), len(ends["in"])))
        elif ends["out"][0] > ends["in"][0]:
            p.add("flow %r goes back in time" % (bind,))
    for track in sorted(sliced - named):
        p.add("track %r has slices but no thread_name" % (track,))

    if args.expect_flow and not flows:
        p.add("no flow arrows")
    for name in args.expect_instant or []:
        if name not in instants:
            p.add("no instant %r (there are: %s)" %
                  (name, ", ".join(sorted(map(str, instants))) or "none"))
    for name in args.expect_counter or []:
        if name not in counters:
            p.add("no counter %r" % name)
    for prefix in args.expect_slice or []:
        if not any(s.startswith(prefix) for s in slices):
            p.add("no slice named %r..." % prefix)
    if not p.lines and not quiet:
        print("%s: ok: %d events, %d slices, %d flows, %d counters, %d "
              "kinds of instant" % (path, len(events), len(slices),
                                    len(flows), len(counters),
                                    len(instants)))
    return p.lines


NAMED = {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1,
         "args": {"name": "a"}}


def x(ts, dur, tid=1, **kw):
    e = {"ph": "X", "name": "s", "ts": ts, "dur": dur, "pid": 1, "tid": tid}
    e.update(kw)
    return e


def named(tid):
    return dict(NAMED, tid=tid)


BROKEN = {
    "bad JSON": '{"traceEvents":[',
    "no events": {"other": 1},
    "overlapping slices": [NAMED, x(1, 2), x(2, 1)],
    "slices out of order": [NAMED, x(1, 2), x(0.5, 0.1)],
    "a flow with one end": [NAMED, x(1, 0, bind_id=3, flow_out=True)],
    "a flow with two outs": [NAMED, named(2), x(1, 0, bind_id=3,
                                                 flow_out=True),
                             x(2, 0, 2, bind_id=3, flow_out=True),
                             x(3, 0, 2, bind_id=3, flow_in=True)],
    "a flow back in time": [NAMED, named(2), x(5, 0, bind_id=3,
                                                  flow_in=True),
                            x(6, 0, 2, bind_id=3, flow_out=True)],
    "an unnamed track": [x(1, 2)],
    "a counter back in time": [
        {"ph": "C", "name": "q", "ts": 2, "pid": 1, "args": {"depth": 1}},
        {"ph": "C", "name": "q", "ts": 1, "pid": 1, "args": {"depth": 2}}],
    "an instant back in time": [
        {"ph": "i", "name": "i", "ts": 2, "pid": 1, "s": "g"},
        {"ph": "i", "name": "i", "ts": 1, "pid": 1, "s": "g"}],
    "a negative duration": [NAMED, x(1, -1)],
    "no time": [NAMED, {"ph": "X", "name": "s", "dur": 1, "pid": 1,
                        "tid": 1}],
    "an unknown phase": [{"ph": "Q", "ts": 1, "pid": 1}],
}


def self_test(args):
    """Every broken trace refused; a good one accepted."""
    bad = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.json")
        for what, trace in sorted(BROKEN.items()):
            with open(path, "w") as f:
                if isinstance(trace, str):
                    f.write(trace)
                else:
                    json.dump(trace if isinstance(trace, dict)
                              else {"traceEvents": trace}, f)
            if not check(path, args, quiet=True):
                bad.append("self-test: a trace with %s was accepted" % what)
        with open(path, "w") as f:
            json.dump({"traceEvents": [NAMED, named(2),
                                       x(1, 1, bind_id=7, flow_out=True),
                                       x(2, 0, bind_id=8, flow_out=True),
                                       x(2, 3, 2, bind_id=7, flow_in=True),
                                       x(5, 0, 2, bind_id=8, flow_in=True),
                                       x(5, 1, 2)]}, f)
        if check(path, args, quiet=True):
            bad.append("self-test: a good trace was refused")
    if not bad:
        print("self-test: %d broken traces refused, a good one accepted" %
              len(BROKEN))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--expect-flow", action="store_true")
    ap.add_argument("--expect-instant", action="append")
    ap.add_argument("--expect-counter", action="append")
    ap.add_argument("--expect-slice", action="append")
    args = ap.parse_args()
    if not args.files and not args.self_test:
        ap.error("name a trace, or --self-test")
    bad = self_test(args) if args.self_test else []
    for path in args.files:
        bad += check(path, args)
    for line in bad:
        print(line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
