# SPDX-License-Identifier: GPL-2.0
"""wire.py - lepd's wire protocol as perf-prof daemon speaks it: exact bytes,
the terminator on every reply, whole files, pipelining, split requests,
LEP's own client rules, and the text layouts with ground truth from
workloads this test starts."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dtest import (WL, Daemon, LepClient, TERM, call, check, check_sleeps, fail, finish,
                   meminfo_kb, ok, read_reply, result_text, skip, sleeper_during)

LEPD_METHODS = (
    "SayHello ListAllMethod GetProcMeminfo GetProcLoadavg GetProcVmstat GetProcZoneinfo "
    "GetProcBuddyinfo GetProcCpuinfo GetProcSlabinfo GetProcSwaps GetProcInterrupts "
    "GetProcSoftirqs GetProcDiskstats GetProcVersion GetProcStat GetProcModules "
    "GetProcVmallocinfo GetCmdIotop GetCmdFree GetCmdProcrank GetCmdIostat GetCmdTop "
    "GetCmdDmesg GetCmdDf GetCpuInfo GetCmdMpstat GetCmdMpstat-I GetCmdIrqInfo GetCmdCgtop "
    "GetCmdPerfFaults GetCmdPerfCpuclock GetCmdPerfFlame").split()

d = Daemon("--sample-interval", "500ms")
time.sleep(1.2)  # two sampler passes: rates over a real interval

# --- exact bytes ------------------------------------------------------------
raw, _ = call(d, b'{"method":"SayHello"}')
check("wire: SayHello's exact bytes", raw == b'{\n\t"result":\t"Hello!lepdendstring"\n}\n', repr(raw))

raw, _ = call(d, b'{"method":"NoSuchMethod","id":3}')
want = (b'{\n\t"error":\t{\n\t\t"code":\t-32601,\n\t\t"message":\t"Method not found.'
        b'lepdendstring"\n\t},\n\t"id":\t3\n}\n')
check("wire: an error reply's exact bytes (terminator included)", raw == want, repr(raw))

raw, rep = call(d, b'{"method":"GetProcLoadavg","id":"a\\"b"}')
check("wire: a string id is echoed", rep.get("id") == 'a"b', repr(raw))
raw, rep = call(d, b'{"METHOD":"SayHello","Id":2.5}')
check("wire: member names case-insensitive (like lepd), numeric id echoed",
      result_text(rep) == "Hello!" and rep.get("id") == 2.5, repr(raw))
raw, rep = call(d, b'{"method":"sayhello"}')
check("wire: method names case-sensitive (like lepd)",
      rep.get("error", {}).get("code") == -32601, repr(raw))

# --- ListAllMethod and every method ------------------------------------------
_, rep = call(d, {"method": "ListAllMethod"})
check("wire: ListAllMethod lists lepd's 32 methods in its order",
      result_text(rep) == " ".join(LEPD_METHODS) + " ", repr(rep)[:300])

bad = []
for m in LEPD_METHODS:
    try:
        s = d.connect(30)
        s.sendall(json.dumps({"method": m}).encode())
        raw = read_reply(s, 30)
        s.close()
        rep = json.loads(raw.decode("utf-8"))
        body = rep.get("result") if "result" in rep else rep.get("error", {}).get("message")
        if not isinstance(body, str) or not body.endswith("lepdendstring"):
            bad.append("%s: no terminator: %r" % (m, raw[:200]))
    except Exception as e:  # a hang, invalid UTF-8, invalid JSON
        bad.append("%s: %r" % (m, e))
check("wire: each of the 32 methods answers, valid UTF-8 JSON ending in the terminator",
      not bad, *bad)

# --- whole files --------------------------------------------------------------
# each thread's kernel stack is a vmalloc area: threads grow vmallocinfo past 100 KB
grow = subprocess.Popen([sys.executable, "-c", """
import threading, time, sys
ev = threading.Event()
n = 0
def size():
    with open("/proc/vmallocinfo", "rb") as f:
        return len(f.read())
while size() < 150000 and n < 4000:
    for _ in range(100):
        threading.Thread(target=ev.wait, daemon=True).start()
    n += 100
print(n, flush=True)
time.sleep(30)
"""], stdout=subprocess.PIPE)
grow.stdout.readline()
with open("/proc/vmallocinfo", "rb") as f:
    size = len(f.read())
_, rep = call(d, {"method": "GetProcVmallocinfo"})
grow.kill()
grow.wait()
text = result_text(rep) or ""
lines = text.splitlines()
good = [l for l in lines if re.match(r"^0x[0-9a-f]+-0x[0-9a-f]+ +\d+ ", l)]
if size < 100000:
    skip("wire: a >= 100 KB /proc file comes back whole", "/proc/vmallocinfo is %d bytes" % size)
else:
    check("wire: a >= 100 KB /proc file comes back whole (vmallocinfo, %d bytes)" % size,
          abs(len(text) - size) < size * 0.1 and text.endswith("\n") and len(good) == len(lines),
          "got %d bytes, %d lines, %d well-formed" % (len(text), len(lines), len(good)))

# --- framing: pipelining, split requests, garbage -----------------------------
s = d.connect()
s.sendall(b"".join(b'{"method":"SayHello","id":%d}\n' % i for i in range(1, 6)) +
          b'{"method":"GetProcVersion","id":6}')
ids = []
for _ in range(6):
    ids.append(json.loads(read_reply(s).decode()).get("id"))
check("wire: six pipelined requests in one write are answered in order", ids == [1, 2, 3, 4, 5, 6],
      repr(ids))
# the same connection keeps working
s.sendall(b' {"method":"SayHello","id":7}')
check("wire: the connection persists", json.loads(read_reply(s).decode()).get("id") == 7)
s.close()

s = d.connect()
req = b'{"method": "GetProcLoadavg", "params": {}, "id": "split"}'
step = (len(req) + 9) // 10
pieces = [req[i:i + step] for i in range(0, len(req), step)]
for p in pieces:
    s.sendall(p)
    time.sleep(0.03)
rep = json.loads(read_reply(s).decode())
check("wire: a request split across %d writes" % len(pieces),
      len(pieces) == 10 and rep.get("id") == "split" and result_text(rep), repr(rep))
s.sendall(b'[1,2]')
rep = json.loads(read_reply(s).decode())
check("wire: a non-object JSON value gets -32600 with the terminator",
      rep.get("error", {}).get("code") == -32600 and
      rep["error"]["message"].endswith("lepdendstring"), repr(rep))
s.sendall(b'{"method":"SayHello"}')
check("wire: ... and the connection goes on", result_text(json.loads(read_reply(s).decode())) == "Hello!")
s.sendall(b'{"method": nope}')
raw = read_reply(s)
rest = s.recv(100)
rep = json.loads(raw.decode())
check("wire: invalid JSON gets -32700 with the terminator, then the connection closes",
      rep.get("error", {}).get("code") == -32700 and rest == b"", repr(raw), repr(rest))
s.close()

# --- LEP's client ----------------------------------------------------------
lep = LepClient(d.port)
bad = []
for m in LEPD_METHODS:
    for attempt in range(2):  # the second call reuses LEP's connection
        try:
            rep = lep.request(m, timeout=30)
            if "result" not in rep and "error" not in rep:
                bad.append("%s: %r" % (m, rep))
        except Exception as e:
            bad.append("%s (call %d): %r" % (m, attempt + 1, e))
        time.sleep(0.05)
lep.close()
check("wire: LEP's client (2048-byte chunks, terminator per chunk, a connection per method) "
      "reads every method twice", not bad, *bad)

# --- text layouts with ground truth -----------------------------------------
_, rep = call(d, {"method": "GetCmdFree"})
free = result_text(rep).splitlines()
mem = free[1].split() if len(free) > 1 else []
check("layout: GetCmdFree's Mem: total is /proc/meminfo's MemTotal",
      mem[:2] == ["Mem:", str(meminfo_kb("MemTotal"))], repr(free))

_, rep = call(d, {"method": "GetCpuInfo"})
check("layout: GetCpuInfo's cpunr is the online CPU count",
      result_text(rep).startswith("cpunr: %d\ncpu_name: " % len(os.sched_getaffinity(0))),
      repr(rep))

# a spinning process for top and mpstat, a writer for iotop and iostat, a
# 64 MiB toucher for procrank
wdir = os.path.join(os.environ.get("WORKLOAD_DIR", "/tmp"), "..", "server-io")
os.makedirs(wdir, exist_ok=True)
spin = subprocess.Popen([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<15: pass"])
mem_code = ("import mmap,time\nm=mmap.mmap(-1,64<<20)\n"
            "for i in range(0,64<<20,4096): m[i]=1\nprint(1,flush=True)\ntime.sleep(15)")
toucher = subprocess.Popen([sys.executable, "-c", mem_code], stdout=subprocess.PIPE)
wpath = os.path.join(wdir, "w.bin")
writer = subprocess.Popen([sys.executable, "-c",
                           "import os,time\nfd=os.open(%r,os.O_WRONLY|os.O_CREAT|os.O_TRUNC)\n"
                           "os.write(fd,b'x'*(8<<20))\nos.fsync(fd)\nos.close(fd)\n"
                           "print(1,flush=True)\ntime.sleep(15)" % wpath], stdout=subprocess.PIPE)
# each is ready (memory touched, data on disk), then two sampler passes
toucher.stdout.readline()
writer.stdout.readline()
time.sleep(1.5)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_, rep = call(d, {"method": "GetCmdTop"})
top = result_text(rep).splitlines()
hdr = top[0].split() if top else []
row = [l.split() for l in top[1:] if l.split() and l.split()[0] == str(spin.pid)]
check("layout: GetCmdTop has ps's header", hdr == "PID USER PRI NI VSZ RSS S %CPU %MEM TIME CMD".split(),
      repr(top[:1]))
# a shared machine gives the spinner what it can: its %CPU is > 0 and its
# TIME is what the kernel counted for it
t = row[0][9].split(":") if row else ["0"]
check("layout: GetCmdTop shows a spinning workload: %CPU > 0, TIME its CPU time",
      row and 0 < float(row[0][7]) <= 100.5 and
      abs(int(t[0]) * 3600 + int(t[1]) * 60 + int(t[2]) - cpu_seconds(spin.pid)) <= 2,
      repr(row), repr(top[:4]))

_, rep = call(d, {"method": "GetCmdMpstat"})
mp = result_text(rep).splitlines()
rows = []
for l in mp[3:]:
    if not l.strip():
        break
    rows.append(l.split()[-11:])
sums = [sum(float(x) for x in r[1:]) for r in rows]
allrow = [r for r in rows if r[0] == "all"]
check("layout: GetCmdMpstat (LEP's parse: 3 lines, then 11 fields a row) has all + each CPU",
      [r[0] for r in rows] == ["all"] + [str(c) for c in sorted(os.sched_getaffinity(0))], repr(mp[:6]))
check("layout: GetCmdMpstat's columns add up to 100%",
      sums and all(abs(x - 100.0) < 0.6 for x in sums), repr(sums))
check("layout: GetCmdMpstat is not zeros: with the spinner running, busy > 10% of all",
      allrow and 100.0 - float(allrow[0][-1]) > 10.0, repr(allrow))

_, rep = call(d, {"method": "GetCmdProcrank"})
pr = result_text(rep).splitlines()
prow = [l.split() for l in pr if l.split() and l.split()[0] == str(toucher.pid)]
ram = pr[-1] if pr else ""
check("layout: GetCmdProcrank: the 64 MiB workload's Uss >= 64 MiB",
      prow and int(prow[0][4][:-1]) >= 65536, repr(prow))
check("layout: GetCmdProcrank: TOTAL third from last, RAM: last with MemTotal",
      len(pr) > 3 and pr[-3].split()[-1] == "TOTAL" and
      ram.startswith("RAM: %dK total, " % meminfo_kb("MemTotal")), repr(pr[-3:]))

status, io = d.api("iotop?n=100000")
wrow = [r for r in io.get("rows", []) if r["pid"] == writer.pid]
with open("/proc/%d/io" % writer.pid) as f:
    wb = [int(l.split()[1]) for l in f if l.startswith("write_bytes:")][0]
check("api: iotop: the writer's written bytes: its /proc/PID/io, >= the 8 MiB it wrote",
      wrow and wrow[0].get("written_bytes_total") == wb and 8 << 20 <= wb < (8 << 20) + 65536,
      repr(wrow), "write_bytes %d" % wb)

_, rep = call(d, {"method": "GetCmdIotop"})
it = result_text(rep).splitlines()
check("layout: GetCmdIotop's header and rows LEP's regexes read",
      it[0].startswith("Total DISK READ:") and "TID" in it[1] and
      all(len(re.findall(r"\d+\.\d\d [BKMG]/s", l)) == 2 and len(re.findall(r"\d+\.\d\d %", l)) == 2
          for l in it[2:]), repr(it[:4]))

_, rep = call(d, {"method": "GetCmdIostat"})
ios = result_text(rep).splitlines()
dev = [i for i, l in enumerate(ios) if l.startswith("Device:")]
check("layout: GetCmdIostat has old sysstat's 'Device:' header, 14 columns a row",
      dev and all(len(l.split()) == 14 for l in ios[dev[0]:] if l.strip()), repr(ios[:5]))

marker = "perf-prof-daemon-test-%d" % os.getpid()
try:
    with open("/dev/kmsg", "w") as k:
        k.write(marker + "\n")
    _, rep = call(d, {"method": "GetCmdDmesg"})
    check("layout: GetCmdDmesg has a line just written to /dev/kmsg", marker in result_text(rep))
except OSError as e:
    skip("layout: GetCmdDmesg has a line just written to /dev/kmsg", "cannot write /dev/kmsg: %s" % e)

_, rep = call(d, {"method": "GetCmdDf"})
df = [l.split() for l in result_text(rep).splitlines()[1:]]
st = os.statvfs("/")
root = [r for r in df if r[-1] == "/"]
check("layout: GetCmdDf's / row: Use% from statvfs",
      root and abs(int(root[0][4][:-1]) - round(100.0 * (st.f_blocks - st.f_bfree) /
                   (st.f_blocks - st.f_bfree + st.f_bavail))) <= 1, repr(root))

_, rep = call(d, {"method": "GetCmdIrqInfo"})
check("layout: GetCmdIrqInfo", re.match(r"^irq:\d+/s softirq:\d+/s \n$", result_text(rep)), repr(rep))

_, rep = call(d, {"method": "GetCmdMpstat-I"})
blocks = result_text(rep).split("\n\n")
soft = blocks[3].splitlines() if len(blocks) > 3 else []
check("layout: GetCmdMpstat-I's softirq block where LEP reads it (HRTIMER at [-2])",
      soft and soft[0].split()[-2] == "HRTIMER/s" and soft[0].split()[-8] == "NET_TX/s", repr(blocks[:4]))

for p in (spin, toucher, writer):
    p.kill()
    p.wait()
try:
    os.unlink(wpath)
except OSError:
    pass
# --- ProfTaskState: task-state's report against a sleeping workload --------------
if os.geteuid() != 0 or not os.path.exists(WL):
    skip("wire: ProfTaskState against a sleeping workload", "needs root and the workload %s" % WL)
else:
    doc, pid, measured, seen, lost = sleeper_during(d, lambda: json.loads(result_text(
        call(d, {"method": "ProfTaskState", "params": {"seconds": 7}}, timeout=40)[1]) or "{}"))
    check_sleeps("wire: ProfTaskState", doc, pid, 20, 50000, measured, seen, lost)

d.stop()
finish()
