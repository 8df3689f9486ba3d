# SPDX-License-Identifier: GPL-2.0
"""perf.py - the methods that run perf-prof's profilers inside the daemon:
lepd's perf report / perf script layouts and perf-prof's JSON reports,
checked against workloads started during the run; a slow method does not
hold up the others."""
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dtest import Daemon, call, check, finish, read_reply, result_text, skip

WL = os.path.join(os.environ.get("WORKLOAD_DIR", ""), "wl")
SYSMIX = os.path.join(os.environ.get("WORKLOAD_DIR", ""), "sysmix")
if os.geteuid() != 0 or not os.path.exists(WL):
    skip("perf: profiler runs in the daemon", "needs root and the workload %s" % WL)
    finish()

d = Daemon()


def during(obj, workload, delay=0.8):
    """send @obj, start @workload @delay s later (the run is on), return (reply, its pid)"""
    box = {}

    def req():
        box["rep"] = call(d, obj, timeout=40)[1]
    t = threading.Thread(target=req)
    t.start()
    time.sleep(delay)
    p = subprocess.Popen(workload, stdout=subprocess.DEVNULL)
    p.wait()
    t.join(45)
    return box.get("rep", {}), p.pid


# --- lepd's perf report table -----------------------------------------------
# a spinner that runs across the whole request; its CPU time over the request
# (/proc/PID/stat), scaled to the 3 s run, is what the samples must show
spin = subprocess.Popen([WL, "spin", "12000"], stdout=subprocess.DEVNULL)
time.sleep(0.3)


def cpu_seconds(p):
    with open("/proc/%d/stat" % p) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


c0, t0 = cpu_seconds(spin.pid), time.monotonic()
_, rep = call(d, {"method": "GetCmdPerfCpuclock", "params": {"seconds": 3}}, timeout=40)
c1, took = cpu_seconds(spin.pid), time.monotonic() - t0
spin.kill()
spin.wait()
text = result_text(rep) or ""
lines = text.splitlines()
head = [i for i, l in enumerate(lines) if l.startswith("# Overhead")]
rows = [l.split() for l in lines[head[0] + 3:]] if head else []
rows = [r for r in rows if len(r) >= 5 and "%" in r[0]]
total = sum(float(r[0][:-1]) for r in rows)
wl = sum(float(r[0][:-1]) for r in rows if r[1] == "wl")
check("perf: GetCmdPerfCpuclock has perf report's '# Overhead' table (LEP's parse)",
      head and rows and abs(total - 100.0) < 0.5 + 0.005 * len(rows), repr(lines[:8]),
      "sum %.2f of %d rows rounded to 0.01" % (total, len(rows)))
m = ([re.match(r"# Samples: (\d+)", l) for l in lines if l.startswith("# Samples: ")] or [None])[0]
check("perf: GetCmdPerfCpuclock says how many samples were lost, as perf report does",
      lines and re.match(r"# Total Lost Samples: \d+$", lines[0]), repr(lines[:3]))
nsamples = int(m.group(1)) if m else 0
want = 100.0 * (c1 - c0) * 3.0 / took * 999 / nsamples if nsamples and took else 0
check("perf: GetCmdPerfCpuclock: the spinner's share %.2f%% is its CPU time's (%.2f s in %.1f s: "
      "%.2f%% of a 3 s run)" % (wl, c1 - c0, took, want),
      want > 0 and 0.5 * want <= wl <= 1.5 * want + 0.5 and 2.5 < took < 15, repr(rows[:5]))

# page faults: a workload touching 20000 fresh pages is among the table's rows
rep, pid = during({"method": "GetCmdPerfFaults", "params": {"seconds": 4}}, [WL, "touch", "20000"], 1.8)
lines = (result_text(rep) or "").splitlines()
head = [i for i, l in enumerate(lines) if l.startswith("# Overhead")]
rows = [l.split() for l in lines[head[0] + 3:]] if head else []
check("perf: GetCmdPerfFaults has the page faults of a workload touching 20000 pages",
      any(len(r) >= 5 and r[1] == "wl" for r in rows) and
      any(l.startswith("# Samples: ") and "of event 'page-faults'" in l for l in lines),
      repr(lines[:12]))

# --- perf script layout, read the way LEP's flameBurner reads it --------------
# the run starts within ~1.6 s even under ASan: workloads start later than that
rep, pid = during({"method": "GetCmdPerfFlame", "params": {"seconds": 3}}, [WL, "spin", "1200"], 1.8)
text = result_text(rep) or ""
samples, stacks, wl_samples, frame_ok = 0, [], 0, True
for line in text.splitlines():
    if not line.strip():
        continue
    if not line[0].isspace():
        samples += 1
        comm = line.split()[0]
        wl_samples += comm == "wl"
        stacks.append([comm])
        continue
    # "\t ADDR SYMBOL+OFF (DSO)"; C++ symbols have spaces, as in perf script
    frame_ok &= bool(re.match(r"^\t *[0-9a-f]+ .+ \(.*\)$", line))
    f = line.split()
    stacks[-1].append(f[1] if f[1] != "[unknown]" else f[2])
check("perf: GetCmdPerfFlame is perf script's layout (sample line, tab-indented frames)",
      samples > 10 and frame_ok and len(stacks) == samples, text[:300])
check("perf: GetCmdPerfFlame has the workload's samples (%d of %d)" % (wl_samples, samples),
      wl_samples > 0)

# --- the flame graph tree ------------------------------------------------------
rep, pid = during({"method": "ProfProfile", "params": {"seconds": 3}}, [WL, "spin", "1200"], 1.8)
doc = json.loads(result_text(rep) or "{}")
flame = doc.get("flame", {})


def consistent(n):
    kids = n.get("children", [])
    return sum(k["value"] for k in kids) <= n["value"] and all(consistent(k) for k in kids)


check("perf: ProfProfile's tree: root value = samples, children never more than parents",
      flame.get("value") == doc.get("samples") and flame.get("value", 0) > 10 and consistent(flame),
      repr(doc)[:300])
check("perf: ProfProfile's tree has the workload under its command",
      any(k["name"] == "wl" for k in flame.get("children", [])),
      repr([k["name"] for k in flame.get("children", [])]))

# --- perf-prof's JSON reports ------------------------------------------------
# syscalls per process: sysmix makes exactly 1234 getppid, 7 writes failing with EBADF and 20
# nanosleeps of 5 ms
rep, pid = during({"method": "ProfSyscalls", "params": {"seconds": 4, "perins": 1}}, [SYSMIX], 1.8)
doc = json.loads(result_text(rep) or "{}")
mine = {r["syscall"]: r for r in doc.get("rows", []) if r.get("pid") == pid}
got = [mine.get(n, {}).get("calls") for n in ("getppid", "nanosleep")]
wr = mine.get("write", {})
check("perf: ProfSyscalls (perins) has sysmix's exact 1234 getppid and 20 nanosleeps (%r)" % got,
      got == [1234, 20] and doc.get("lost") == 0, repr(doc)[:300])
check("perf: ... its 7 writes failing with EBADF, by name",
      wr.get("errors") == 7 and wr.get("errnos", [{}])[0].get("name") == "EBADF", repr(wr)[:300])
sleep = mine.get("nanosleep", {}).get("latency", {})
check("perf: ... each nanosleep at least 5 ms (min %r ns)" % sleep.get("min"),
      sleep.get("min", 0) >= 5000000 and sleep.get("count") == 20)

# pidstat over one interval: a process that lived only inside it (50 sleeps of 10 ms, each a
# voluntary switch) is reported from its exit record, with its switches
rep, pid = during({"method": "ProfPidstat", "params": {"seconds": 3}}, [WL, "nanosleep", "50", "10000"], 1.0)
doc = json.loads(result_text(rep) or "{}")
mine = [t for t in doc.get("tasks", []) if t.get("pid") == pid]
check("perf: ProfPidstat reports the short-lived process, exited, with its >= 50 voluntary switches "
      "(%r)" % [(t.get("comm"), t.get("exited"), t.get("cswch_n")) for t in mine],
      len(mine) == 1 and mine[0]["comm"] == "wl" and mine[0]["exited"] and mine[0]["cswch_n"] >= 50 and
      abs(doc.get("interval", 0) - 3) < 0.5, repr(doc)[:300])

rep, pid = during({"method": "ProfNumDist", "params": {"seconds": 4, "event": "syscalls:sys_enter_write",
                                                         "field": "count"}}, [WL, "write", "100", "7"], 1.8)
doc = json.loads(result_text(rep) or "{}")
hist = [h for r in doc.get("rows", []) for h in r["stats"]["hist"] if h["lo"] <= 7 <= h["hi"]]
check("perf: ProfNumDist's histogram has the workload's 100 writes of 7 bytes",
      hist and hist[0]["count"] >= 100, repr(doc)[:400])

# the latency heatmap's data: 30 nanosleeps of 10 ms (the raw system call, which
# glibc's sleeps do not make) paired from entry to exit, an interval report
# every 500 ms; the intervals add up to the final report
rep, pid = during({"method": "ProfMultiTrace", "params": {
    "seconds": 3, "interval_ms": 500, "begin": "syscalls:sys_enter_nanosleep",
    "end": "syscalls:sys_exit_nanosleep"}}, [WL, "nanosleep", "30", "10000"], 1.5)
doc = json.loads(result_text(rep) or "{}")
reps = doc.get("reports", [])
ivals = [r for r in reps if r.get("report") == "interval"]
final = [r for r in reps if r.get("report") == "final"]


def slow(r):
    """pairs of 8.4 ms and more in a report's histograms"""
    return sum(h["count"] for row in r.get("rows", []) for h in row["stats"]["hist"] if h["lo"] >= 8388608)


check("perf: ProfMultiTrace has the 30 sleeps of 10 ms in its final histogram, and its %d "
      "interval reports add up to it" % len(ivals),
      len(final) == 1 and slow(final[0]) == 30 and sum(slow(r) for r in ivals) == 30 and
      sum(r["pairs"] for r in ivals) == final[0]["pairs"] and 5 <= len(ivals) <= 8 and
      doc.get("interval_ms") == 500, repr(doc)[:600])
_, rep = call(d, {"method": "ProfMultiTrace", "params": {"begin_key": "pid; ls"}})
check("perf: ProfMultiTrace refuses a key that is not a field name (-32602)",
      rep.get("error", {}).get("code") == -32602, repr(rep))
_, rep = call(d, {"method": "ProfMultiTrace", "params": {"interval_ms": 5}})
check("perf: ProfMultiTrace refuses intervals under 100 ms (-32602)",
      rep.get("error", {}).get("code") == -32602, repr(rep))
_, rep = call(d, {"method": "ProfMultiTrace", "params": {"interval_ms": 3000, "seconds": 2}})
check("perf: ProfMultiTrace refuses an interval longer than the run (-32602)",
      rep.get("error", {}).get("code") == -32602, repr(rep))
# pid: one process only (others' sleeps are not counted), the run ending with it
wl = subprocess.Popen([WL, "-d", "2500", "nanosleep", "12", "20000"], stdout=subprocess.DEVNULL)
_, rep = call(d, {"method": "ProfMultiTrace", "params": {
    "seconds": 10, "interval_ms": 200, "pid": wl.pid, "begin": "syscalls:sys_enter_nanosleep",
    "end": "syscalls:sys_exit_nanosleep"}}, 40)
wl.wait()
doc = json.loads(result_text(rep) or "{}")
final = [r for r in doc.get("reports", []) if r.get("report") == "final"]
check("perf: ProfMultiTrace of one pid: its 12 sleeps of 20 ms, exactly (%r)" %
      [(r.get("pairs"), slow(r)) for r in final],
      len(final) == 1 and final[0]["pairs"] == 12 and slow(final[0]) == 12, repr(doc)[:400])

_, rep = call(d, {"method": "ProfTop", "params": {"event": "sched:sched_switch; rm -rf /"}})
check("perf: a param that is not a tracepoint name is refused (-32602)",
      rep.get("error", {}).get("code") == -32602, repr(rep))
_, rep = call(d, {"method": "ProfTop", "params": {"seconds": 99}})
check("perf: seconds beyond 10 are refused", rep.get("error", {}).get("code") == -32602, repr(rep))
status, top = d.api("prof/top?event=sched:sched_switch")
check("http: /api/v1/prof/top is top's JSON report",
      status == 200 and top.get("total", 0) > 0 and top.get("key") == "TID", repr(top)[:300])

# --- a slow method does not hold up the others ----------------------------------
box = {}
t = threading.Thread(target=lambda: box.update(rep=call(d, {"method": "GetCmdPerfCpuclock",
                                                            "params": {"seconds": 3}}, 30)[1]))
t.start()
time.sleep(0.5)
worst = 0.0
for _ in range(10):
    t1 = time.monotonic()
    _, rep = call(d, b'{"method":"GetProcLoadavg"}', 5)
    worst = max(worst, time.monotonic() - t1)
    time.sleep(0.1)
t.join(40)
check("perf: while a 3 s profiler run goes on, other methods answer (worst %.1f ms)" % (worst * 1000),
      worst < 0.5 and "result" in box.get("rep", {}))

# --- HTTP: profiler runs hold no HTTP thread -----------------------------------
res = {}


def fetch(key, path):
    res[key] = d.http(path)


runs = [threading.Thread(target=fetch, args=(i, "/api/v1/prof/profile?seconds=3")) for i in range(3)]
for t in runs:
    t.start()
time.sleep(0.5)
worst = 0.0
for _ in range(5):
    t1 = time.monotonic()
    status, _, body = d.http("/metrics")
    worst = max(worst, time.monotonic() - t1)
for t in runs:
    t.join(60)
flames = [json.loads(res[i][2]) for i in range(3) if i in res and res[i][0] == 200]
check("http: three 3 s profile runs at once (one at a time inside) all answer; /metrics meanwhile "
      "in %.1f ms at worst" % (worst * 1000),
      len(flames) == 3 and all(f["flame"]["value"] > 0 for f in flames) and worst < 0.5,
      repr({k: v[0] for k, v in res.items()}))

# --- --method-timeout: a run past it is answered with an error, in order ------------
d2 = Daemon("--method-timeout", "1s")
s2 = d2.connect(20)
t1 = time.monotonic()
s2.sendall(b'{"method":"GetCmdPerfCpuclock","params":{"seconds":4}}{"method":"SayHello"}')
raw = read_reply(s2, 20)
late = time.monotonic() - t1
rep = json.loads(raw.decode("utf-8"))
err = rep.get("error", {})
check("timeout: a 4 s run under --method-timeout 1s is answered -32001 with the terminator "
      "(after %.1f s)" % late,
      err.get("code") == -32001 and err.get("message", "").endswith("lepdendstring") and late < 3.5,
      repr(raw))
raw = read_reply(s2, 20)
check("timeout: the request pipelined behind it is answered next", result_text(json.loads(raw)) == "Hello!",
      repr(raw))
# the worker ends its run later; its result is dropped, the connection and the daemon go on
time.sleep(4.5)
s2.sendall(b'{"method":"SayHello"}')
raw = read_reply(s2, 20)
check("timeout: the connection still serves once the late run ended, nothing extra on it",
      raw.startswith(b"{") and result_text(json.loads(raw)) == "Hello!", repr(raw))
s2.close()
# HTTP: the suspended connection is answered 504 at the deadline, the run goes on
# on its worker; one more timed out whose client has gone when its run ends
t1 = time.monotonic()
status, _, body = d2.http("/api/v1/prof/profile?seconds=4")
late = time.monotonic() - t1
try:
    code = json.loads(body).get("error", {}).get("code")
except ValueError:
    code = None
check("timeout: http: a 4 s run under --method-timeout 1s is answered 504, -32001 (after %.1f s)" % late,
      status == 504 and code == -32001 and late < 3.5, status, body[:200])
status, _, body = d2.http("/api/v1/prof/profile?seconds=2")
check("timeout: http: the next run waits for the worker and times out too", status == 504, status)
time.sleep(4.5)
status, _, body = d2.http("/api/v1/memory")
check("timeout: http: the daemon answers once the late runs ended", status == 200, status)
n = [l for l in d2.http("/metrics")[2].decode().splitlines()
     if l.startswith("perf_prof_daemon_method_timeouts_total ")]
check("timeout: the three timeouts are counted in /metrics", n == ["perf_prof_daemon_method_timeouts_total 3"], n)
d2.stop("timeout: the daemon stops cleanly after timed-out runs")

# --- SIGTERM during a run: it ends at once, clean, the HTTP client gets an answer -----
t = threading.Thread(target=fetch, args=("term", "/api/v1/prof/profile?seconds=8"))
t.start()
time.sleep(1.5)
t1 = time.monotonic()
d.stop("daemon: SIGTERM during an 8 s profiler run ends it cleanly (exit 0)")
stopped = time.monotonic() - t1
t.join(20)
check("daemon: ... within 3 s (%.1f s), the HTTP client answered (%r)" % (stopped, res.get("term", ["-"])[0]),
      stopped < 3.0 and "term" in res)
finish()
