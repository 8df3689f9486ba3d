#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/viewer.py [-s SECONDS] [-n LOADS] - what the web viewer costs:
the daemon's CPU (utime + stime from /proc/PID/stat) over SECONDS with no
browser, then over SECONDS while one headless chromium watches the page at
a 1 s refresh (the DevTools client of tests/server/viewer.py), the requests
the page made meanwhile; then the page load over LOADS reloads (Navigation
Timing's first byte and load event, and the page's own mark when its first
data is drawn; median and worst), and the CPU time chromium spent on each
load (a figure a busy machine does not inflate). Needs chromium; run as root from the top
of the tree after `make`."""
import argparse
import os
import shutil
import statistics
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "server"))
os.environ.setdefault("PERF_PROF", os.path.join(here, "..", "perf-prof"))
from dtest import Daemon  # noqa: E402
from viewer import Browser  # noqa: E402


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root):
    """CPU seconds of @root and all its descendants (chromium's processes)"""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    tree, grew = {root}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0.0
    for p in tree:
        try:
            total += cpu_seconds(p)
        except OSError:
            pass
    return total


def window(pid, secs, b=None):
    """the daemon's CPU seconds over @secs (the browser, if any, kept served)"""
    c0, t0 = cpu_seconds(pid), time.monotonic()
    while time.monotonic() - t0 < secs:
        if b:
            b.js("1")	# drains the DevTools events as they come
        time.sleep(0.5)
    return cpu_seconds(pid) - c0, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-s", type=float, default=60, help="seconds per window (60)")
    ap.add_argument("-n", type=int, default=10, help="page loads timed (10)")
    a = ap.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("viewer bench: needs chromium (Debian package chromium)")
    d = Daemon()
    pid = d.proc.pid
    time.sleep(2)		# past the daemon's start and its first samples
    idle, took = window(pid, a.s)
    print("daemon, no browser:        %6.3f s CPU in %.1f s = %.2f%% of one CPU"
          % (idle, took, 100 * idle / took))
    b = Browser(chromium)
    try:
        b.call("Network.enable")
        url = "http://127.0.0.1:%d/?interval=1000" % d.http_port
        b.call("Page.navigate", url=url)
        b.until("document.readyState === 'complete'", 60)
        time.sleep(3)
        n0 = len(b.named("Network.requestWillBeSent"))
        busy, took = window(pid, a.s, b)
        n = len(b.named("Network.requestWillBeSent")) - n0
        print("daemon, one browser at 1 s: %6.3f s CPU in %.1f s = %.2f%% of one CPU "
              "(%d requests, %.1f/s)" % (busy, took, 100 * busy / took, n, n / took))
        print("the viewer's share:         %.2f%% of one CPU" % (100 * (busy - idle) / took))
        first, load, data, cpu = [], [], [], []
        for _ in range(a.n):
            c0 = tree_cpu_seconds(b.proc.pid)
            b.call("Page.navigate", url=url)
            b.until("document.readyState === 'complete' && "
                    "performance.getEntriesByType('navigation')[0].loadEventEnd > 0", 60)
            b.until("performance.getEntriesByName('viewer-first-data').length", 60)
            t = b.js("(() => { const n = performance.getEntriesByType('navigation')[0]; "
                     "return [n.responseStart - n.startTime, n.loadEventEnd - n.startTime, "
                     "performance.getEntriesByName('viewer-first-data')[0].startTime - "
                     "n.startTime]; })()")
            cpu.append(1000 * (tree_cpu_seconds(b.proc.pid) - c0))
            first.append(t[0])
            load.append(t[1])
            data.append(t[2])
        print("page load over %d loads:    first byte median %.1f ms (worst %.1f), load event "
              "median %.1f ms (worst %.1f), first data drawn median %.1f ms (worst %.1f)"
              % (a.n, statistics.median(first), max(first), statistics.median(load), max(load),
                 statistics.median(data), max(data)))
        print("chromium's CPU per load (all its processes, up to the first data drawn): median "
              "%.0f ms (worst %.0f)" % (statistics.median(cpu), max(cpu)))
        print("load average: %s" % open("/proc/loadavg").read().strip())
    finally:
        b.close()
        d.proc.terminate()
        d.proc.wait()


if __name__ == "__main__":
    main()
