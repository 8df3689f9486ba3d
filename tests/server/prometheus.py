# SPDX-License-Identifier: GPL-2.0
"""prometheus.py - Debian's prometheus scrapes the daemon every second (on
loopback, a temp dir for its data); PromQL through its HTTP API then returns
the daemon's series with the values they must have."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dtest import Daemon, check, finish, free_port, meminfo_kb, skip

prom = shutil.which("prometheus")
if not prom:
    skip("prometheus: scrapes the daemon", "no prometheus binary (scripts/install-deps.sh installs it)")
    finish()

d = Daemon()
tmp = tempfile.mkdtemp(prefix="pp-prom.")
pport = free_port()
with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
    f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: perf-prof\n    static_configs:\n"
            "      - targets: ['127.0.0.1:%d']\n" % d.http_port)
log = open(os.path.join(tmp, "log"), "w+")
p = subprocess.Popen([prom, "--config.file", os.path.join(tmp, "prometheus.yml"),
                      "--storage.tsdb.path", os.path.join(tmp, "data"),
                      "--web.listen-address", "127.0.0.1:%d" % pport],
                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def query(q, at=None):
    args = {"query": q}
    if at:
        args["time"] = "%.3f" % at
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (pport, urllib.parse.urlencode(args))
    with urllib.request.urlopen(url, timeout=10) as r:
        rep = json.loads(r.read().decode())
    return rep["data"]["result"] if rep.get("status") == "success" else None


def scalar(q, at=None):
    try:
        res = query(q, at)
    except OSError:
        return None
    return float(res[0]["value"][1]) if res else None


try:
    # a few scrapes: wait until at least 5 samples of 'up' exist (bounded)
    samples = 0
    deadline = time.time() + 40
    while time.time() < deadline:
        samples = scalar('count_over_time(up{job="perf-prof"}[1m])') or 0
        if samples >= 5:
            break
        time.sleep(0.5)
    check("prometheus: scrapes the daemon every second (%d scrapes)" % samples,
          samples >= 5 and scalar('min_over_time(up{job="perf-prof"}[1m])') == 1.0)

    total = scalar('node_memory_MemTotal_bytes{job="perf-prof"}')
    check("prometheus: node_memory_MemTotal_bytes = /proc/meminfo's MemTotal",
          total == meminfo_kb("MemTotal") * 1024, "got %r" % total)

    now = time.time()
    early = scalar('sum(node_cpu_seconds_total{job="perf-prof"})', now - 3)
    late = scalar('sum(node_cpu_seconds_total{job="perf-prof"})', now)
    ncpu = len(os.sched_getaffinity(0))
    check("prometheus: CPU seconds increase, by about the CPUs x seconds between (%r -> %r)"
          % (early, late),
          early is not None and late is not None and 1.0 * ncpu <= late - early <= 5.0 * ncpu)

    busy = scalar('sum(rate(node_cpu_seconds_total{job="perf-prof",mode!="idle"}[4s]))')
    check("prometheus: a PromQL rate over the CPU modes is between 0 and the CPU count (%r)" % busy,
          busy is not None and 0 <= busy <= ncpu + 0.1)
    cpus = query('count by (cpu) (node_cpu_seconds_total{job="perf-prof"})') or []
    check("prometheus: a series per CPU", len(cpus) == ncpu, repr(cpus)[:200])
    reqs = scalar('perf_prof_daemon_requests_total{job="perf-prof",transport="http"}')
    check("prometheus: the daemon's own request counter counts the scrapes",
          reqs is not None and reqs >= samples - 1, "requests %r, scrapes %r" % (reqs, samples))
finally:
    p.terminate()
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    log.seek(0)
    if p.returncode not in (0, -15):
        print("# prometheus exited %r: %s" % (p.returncode, log.read()[-800:]))
    log.close()
    shutil.rmtree(tmp, ignore_errors=True)
d.stop()
finish()
