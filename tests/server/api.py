# SPDX-License-Identifier: GPL-2.0
"""api.py - the HTTP side: /api/v1/ JSON with ground truth, /metrics in the
Prometheus text format, errors, and loopback-only defaults."""
import json
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dtest import PP, WL, Daemon, check, check_sleeps, finish, free_port, meminfo_kb, skip, sleeper_during

d = Daemon("--sample-interval", "500ms")
time.sleep(1.2)
ncpu = len(os.sched_getaffinity(0))

status, cpu = d.api("cpu")
check("api: /api/v1/cpu has every CPU", status == 200 and cpu.get("ncpu") == ncpu and
      [c["cpu"] for c in cpu["cpus"]] == sorted(os.sched_getaffinity(0)), repr(cpu)[:300])
sums = [sum(c["percent"].values()) for c in cpu["cpus"]] + [sum(cpu["all"]["percent"].values())]
check("api: /api/v1/cpu percentages add up to 100", all(abs(x - 100) < 0.01 for x in sums), repr(sums))
check("api: /api/v1/cpu rates over the sampler's interval, not since boot",
      not cpu["since_boot"] and 0.3 < cpu["interval_s"] < 5 and cpu["context_switches_per_s"] > 0,
      repr({k: cpu[k] for k in ("since_boot", "interval_s", "context_switches_per_s")}))
with open("/proc/stat") as f:
    user_now = sum(int(l.split()[1]) for l in f if re.match(r"cpu\d", l)) / os.sysconf("SC_CLK_TCK")
user_api = sum(c["seconds_total"]["user"] for c in cpu["cpus"])
check("api: /api/v1/cpu user seconds are /proc/stat's (within the sampling period)",
      0 <= user_now - user_api < 2.0 * ncpu, "api %.2f, /proc/stat %.2f" % (user_api, user_now))

status, mem = d.api("memory")
check("api: /api/v1/memory total_bytes is MemTotal",
      status == 200 and mem["total_bytes"] == meminfo_kb("MemTotal") * 1024 and
      mem["meminfo"]["MemTotal"] == mem["total_bytes"], repr(mem)[:200])

status, top = d.api("top?n=5&sort=mem")
check("api: /api/v1/top?n=5&sort=mem: 5 rows by resident memory",
      status == 200 and len(top["rows"]) == 5 and
      all(a["rss_bytes"] >= b["rss_bytes"] for a, b in zip(top["rows"], top["rows"][1:])),
      repr(top)[:300])
status, me = d.api("top?n=100000&sort=pid")
mine = [r for r in me.get("rows", []) if r["pid"] == os.getpid()]
check("api: /api/v1/top has this test's process with its command line",
      mine and "api.py" in mine[0]["cmd"], repr(mine))
status, bad = d.api("top?n=zero")
check("api: a bad parameter is a 400 with a JSON error",
      status == 400 and bad["error"]["code"] == -32602, repr(bad))

status, io = d.api("io")
with open("/proc/diskstats") as f:
    disks = {l.split()[2] for l in f}
check("api: /api/v1/io devices are diskstats devices",
      status == 200 and all(x["device"] in disks for x in io["devices"]), repr(io)[:300])
status, irq = d.api("irq")
check("api: /api/v1/irq per-CPU softirq rates",
      status == 200 and any(s["type"] == "TIMER" and len(s["per_cpu_per_s"]) == ncpu
                            for s in irq["softirqs"]), repr(irq)[:300])
status, load = d.api("load")
check("api: /api/v1/load", status == 200 and set(load) >= {"load1", "load5", "load15"}, repr(load))
status, ms = d.api("methods")
names = [m["name"] for m in ms.get("methods", [])]
check("api: /api/v1/methods lists lepd's and perf-prof's methods",
      status == 200 and "GetCmdMpstat" in names and "ProfProfile" in names, repr(names))
status, raw = d.api("GetProcVersion")
with open("/proc/version") as f:
    version = f.read()
check("api: a lepd method by name: its text as 'result'",
      status == 200 and raw == {"method": "GetProcVersion", "result": version}, repr(raw))
if os.geteuid() != 0 or not os.path.exists(WL):
    skip("api: /api/v1/prof/task-state against a sleeping workload",
         "needs root and the workload %s" % WL)
else:
    doc, pid, measured, seen, lost = sleeper_during(
        d, lambda: d.api("prof/task-state?seconds=7")[1], 10, 80000)
    check_sleeps("api: /api/v1/prof/task-state", doc, pid, 10, 80000, measured, seen, lost)
status, na = d.api("prof/task-state?seconds=11")
check("api: a bad param of a profiler method is a 400 with a JSON error",
      status == 400 and na["error"]["code"] == -32602, repr(na))
status, nf = d.api("nosuch")
check("api: an unknown method is a 404 with a JSON error", status == 404 and "error" in nf, repr(nf))
status, _, body = d.http("/api/v1/cpu", method="POST")
check("http: POST is 405", status == 405, repr(body))
status, ctype, body = d.http("/")
check("http: / is the web viewer", status == 200 and b"/viewer/viewer.js" in body, repr(body[:200]))

# --- /metrics ----------------------------------------------------------------
status, ctype, body = d.http("/metrics")
text = body.decode("utf-8")
sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
                    r'-?[0-9.e+]+$')
badl = [l for l in text.splitlines()
        if not (l.startswith("# HELP ") or l.startswith("# TYPE ") or sample.match(l))]
check("metrics: every line is a comment or a sample of the text format",
      status == 200 and ctype.startswith("text/plain; version=0.0.4") and not badl, *badl[:5])
types = {}
for l in text.splitlines():
    if l.startswith("# TYPE "):
        _, _, name, t = l.split()
        types[name] = t
check("metrics: counters end in _total",
      all(n.endswith("_total") for n, t in types.items() if t == "counter"),
      repr([n for n, t in types.items() if t == "counter" and not n.endswith("_total")]))


def value(name, labels=""):
    m = re.search(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return float(m.group(1)) if m else None


check("metrics: node_memory_MemTotal_bytes is MemTotal",
      value("node_memory_MemTotal_bytes") == meminfo_kb("MemTotal") * 1024)
check("metrics: node_cpu_seconds_total for every CPU and mode",
      all(value("node_cpu_seconds_total", '{cpu="%d",mode="%s"}' % (c, m)) is not None
          for c in os.sched_getaffinity(0) for m in ("user", "system", "idle", "iowait")))
for n in ("node_load1", "node_context_switches_total", "node_intr_total",
          "node_procs_running", "perf_prof_daemon_connections", "perf_prof_events_total",
          "perf_prof_lost_records_total"):
    check("metrics: %s" % n, value(n) is not None)
check("metrics: the daemon counts its requests",
      (value("perf_prof_daemon_requests_total", '{transport="http"}') or 0) >= 15)
check("metrics: per-process top N", len(re.findall(r"^perf_prof_process_cpu_seconds_total\{",
                                                   text, re.M)) == 10)
d.stop()

# --- loopback only by default ----------------------------------------------
def listening(pid):
    """the addresses @pid listens on (TCP)"""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    return [l.split()[3] for l in out.splitlines() if "pid=%d," % pid in l]


def port_free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()


if not (port_free(12307) and port_free(12308)):
    skip("net: by default only 127.0.0.1:12307 and :12308", "the default ports are taken")
else:
    p = subprocess.Popen([PP, "daemon"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    addrs = []
    for _ in range(100):
        addrs = listening(p.pid)
        if len(addrs) >= 2:
            break
        time.sleep(0.05)
    p.terminate()
    _, err = p.communicate(timeout=10)
    check("net: by default only 127.0.0.1:12307 and 127.0.0.1:12308 (nothing on the network)",
          sorted(addrs) == ["127.0.0.1:12307", "127.0.0.1:12308"] and p.returncode == 0,
          repr(addrs), err.decode()[-500:])

p = subprocess.run([PP, "daemon", "--listen", "0.0.0.0:0", "--http", "off"], capture_output=True,
                   text=True, timeout=10)
check("net: port 0 is refused as a usage error", p.returncode == 129 and "hint:" in p.stderr,
      p.stderr)
port = free_port()
p = subprocess.Popen([PP, "daemon", "--listen", "[::1]:%d" % port, "--listen", "0.0.0.0:%d" % port,
                      "--http", "off"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
time.sleep(1)
addrs = listening(p.pid)
p.terminate()
_, err = p.communicate(timeout=10)
check("net: a network address only when named, with a warning; IPv6 too",
      sorted(addrs) == sorted(["0.0.0.0:%d" % port, "[::1]:%d" % port]) and
      "warning: json-rpc on '0.0.0.0:%d' is reachable from the network" % port in err.decode(),
      repr(addrs), err.decode())
p = subprocess.run([PP, "daemon", "--listen", "nonsense"], capture_output=True, text=True, timeout=10)
check("net: a bad address is a usage error with a hint",
      p.returncode == 129 and "invalid address '--listen nonsense'" in p.stderr and "hint:" in p.stderr,
      p.stderr)
finish()
