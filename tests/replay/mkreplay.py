#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mkreplay.py - build a perf-prof replay file from a text description.

usage: mkreplay.py TRACEFS EVENTS OUT < description

EVENTS is the comma list of SYS:NAME in the order the test passes them with
-e (event i gets sample id i + 1). The description has one directive a line:

  ring CPU                       start the records of a new ring
  sample SYS:NAME time=NS _pid=P _tid=T [_cpu=C] [FIELD=VALUE ...]
                                 a PERF_RECORD_SAMPLE; fields not given are 0;
                                 char arrays take strings; stack=ip,ip,...
                                 adds a callchain (the event must sample stacks)
  lost N time=NS                 a PERF_RECORD_LOST of N records
  comm PID TID NAME time=NS      a PERF_RECORD_COMM
  badsize                        a record header whose size runs past the end
  # ...                          a comment

The file layout is what session__replay() reads: "PPREPLAY", u32 ring count,
then per ring u32 cpu, u32 pad, u64 length and the records.

MKREPLAY_LAYOUT=compact in the environment writes the records as live runs
get them (samples without CPU, sample_id trailers without CPU) under the
magic "PPREPLAC"; the default, full, has the CPU too, as the kernel writes
them when asked for everything. Samples carry a PERIOD (_period=N, default
1) in both. tests/run.sh runs every replay test
with each layout.
"""
import os
import re
import struct
import sys

PERF_RECORD_LOST, PERF_RECORD_COMM, PERF_RECORD_SAMPLE = 2, 3, 9


def load_format(tracefs, name):
    sysname, ev = name.split(":")
    path = f"{tracefs}/events/{sysname}/{ev}/format"
    fields = {}
    evid = 0
    size = 0
    for line in open(path):
        m = re.match(r"ID: (\d+)", line)
        if m:
            evid = int(m.group(1))
        m = re.search(r"field:(.*?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d)", line)
        if m:
            decl, off, sz, signed = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4) == "1"
            fname = re.sub(r"\[.*\]", "", decl.split()[-1])
            fields[fname] = (off, sz, signed, "[" in decl)
            size = max(size, off + sz)
    return evid, fields, size


def pack_raw(fmt, values):
    evid, fields, size = fmt
    raw = bytearray(size)
    vals = {"common_type": str(evid)}
    vals.update(values)
    for k, v in vals.items():
        if k not in fields:
            raise SystemExit(f"mkreplay: unknown field {k}")
        off, sz, signed, is_array = fields[k]
        if is_array:
            b = v.encode()[:sz]
            raw[off:off + len(b)] = b
        else:
            raw[off:off + sz] = int(v, 0).to_bytes(sz, "little", signed=signed)
    return bytes(raw)


COMPACT = os.environ.get("MKREPLAY_LAYOUT", "full") == "compact"


def sample_id(pid, tid, time, cpu, ident):
    if COMPACT:
        return struct.pack("<IIQQ", pid, tid, time, ident)
    return struct.pack("<IIQIIQ", pid, tid, time, cpu, 0, ident)


def record(rtype, body):
    return struct.pack("<IHH", rtype, 0, 8 + len(body)) + body


def main():
    tracefs, events, out = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
    fmts = {e: load_format(tracefs, e) for e in events}
    ids = {e: i + 1 for i, e in enumerate(events)}
    rings = []
    for line in sys.stdin:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        kv = dict(w.split("=", 1) for w in words if "=" in w)
        if words[0] == "ring":
            rings.append([int(words[1]), bytearray()])
            continue
        if not rings:
            raise SystemExit("mkreplay: a 'ring CPU' line must come first")
        buf = rings[-1][1]
        cpu = int(kv.pop("_cpu", rings[-1][0]))
        time = int(kv.pop("time", "0"))
        if words[0] == "sample":
            ev = words[1]
            pid = int(kv.pop("_pid", "0"))
            tid = int(kv.pop("_tid", str(pid)))
            stack = kv.pop("stack", None)
            period = int(kv.pop("_period", "1"))
            if COMPACT:
                body = struct.pack("<QIIQQ", ids[ev], pid, tid, time, period)
            else:
                body = struct.pack("<QIIQIIQ", ids[ev], pid, tid, time, cpu, 0, period)
            if stack is not None:
                ips = [int(x, 0) for x in stack.split(",")]
                body += struct.pack("<Q", len(ips)) + b"".join(struct.pack("<Q", x) for x in ips)
            raw = pack_raw(fmts[ev], kv)
            pad = (-(4 + len(raw))) % 8
            body += struct.pack("<I", len(raw) + pad) + raw + bytes(pad)
            buf += record(PERF_RECORD_SAMPLE, body)
        elif words[0] == "lost":
            body = struct.pack("<QQ", 1, int(words[1])) + sample_id(0, 0, time, cpu, 1)
            buf += record(PERF_RECORD_LOST, body)
        elif words[0] == "comm":
            name = words[3].encode() + b"\0"
            name += bytes((-len(name)) % 8)
            body = struct.pack("<II", int(words[1]), int(words[2])) + name
            body += sample_id(int(words[1]), int(words[2]), time, cpu, 1)
            buf += record(PERF_RECORD_COMM, body)
        elif words[0] == "badsize":
            buf += struct.pack("<IHH", PERF_RECORD_SAMPLE, 0, 4096)
        else:
            raise SystemExit(f"mkreplay: unknown directive {words[0]}")
    with open(out, "wb") as f:
        f.write((b"PPREPLAC" if COMPACT else b"PPREPLAY") + struct.pack("<I", len(rings)))
        for cpu, buf in rings:
            f.write(struct.pack("<IIQ", cpu, 0, len(buf)) + buf)


main()
