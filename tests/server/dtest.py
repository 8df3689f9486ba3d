# SPDX-License-Identifier: GPL-2.0
"""dtest.py - helpers for the server tests (Python stdlib only): start
`perf-prof daemon` on free loopback ports, talk lepd's wire protocol the way
LEP's own client does, print TAP lines that tests/run.sh counts."""
import atexit
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

PP = os.environ.get("PERF_PROF", "./perf-prof")
WL = os.path.join(os.environ.get("WORKLOAD_DIR", ""), "wl")
TERM = b"lepdendstring"
failed = 0


def ok(name):
    print("ok - " + name, flush=True)


def fail(name, *why):
    global failed
    failed += 1
    print("not ok - " + name, flush=True)
    for w in why:
        for line in str(w).splitlines()[:12]:
            print("#   " + line, flush=True)


def skip(name, reason):
    print("ok - %s # SKIP %s" % (name, reason), flush=True)


def check(name, cond, *why):
    if cond:
        ok(name)
    else:
        fail(name, *why)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def meminfo_kb(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


class Daemon:
    """one perf-prof daemon on free loopback ports; stop() checks a clean exit"""

    def __init__(self, *args, http=True):
        self.port = free_port()
        self.http_port = free_port() if http else None
        argv = [PP, "daemon", "--listen", "127.0.0.1:%d" % self.port,
                "--http", "127.0.0.1:%d" % self.http_port if http else "off"]
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv + list(args), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        # a test that dies half-way leaves no daemon behind
        atexit.register(self.kill)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited: " + self.stderr())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                if not http:
                    return
                socket.create_connection(("127.0.0.1", self.http_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.proc.kill()
        raise RuntimeError("daemon did not listen: " + self.stderr())

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def perf_fds(self):
        """the perf events and BPF links the daemon holds open: a profiler run going
        on (a run that aggregates in the kernel, such as task-state's, holds links
        of its attached programs and no perf event)"""
        n = 0
        for fd in os.listdir("/proc/%d/fd" % self.proc.pid):
            try:
                n += os.readlink("/proc/%d/fd/%s" % (self.proc.pid, fd)) in (
                    "anon_inode:[perf_event]", "anon_inode:bpf_link")
            except OSError:
                pass
        return n

    def metric(self, name):
        """a sample of the daemon's /metrics (0 when absent)"""
        for line in self.http("/metrics")[2].decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return 0

    def connect(self, timeout=10):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def http(self, path, method="GET"):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.http_port, path),
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read()

    def api(self, path):
        status, _, body = self.http("/api/v1/" + path)
        return status, json.loads(body.decode("utf-8"))

    def stop(self, name="daemon: SIGTERM ends it cleanly (exit 0)"):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = "killed after 15 s"
        check(name, rc == 0, "exit: %s" % rc, self.stderr()[-1500:])


_pending = {}


def read_reply(s, timeout=20):
    """the bytes of one cJSON-formatted reply: up to the "\\n}\\n" that ends it;
    what came after it is kept for the next call on the same socket"""
    s.settimeout(timeout)
    buf = _pending.pop(s, b"")
    while True:
        end = buf.find(b"\n}\n")
        if end >= 0:
            if buf[end + 3:]:
                _pending[s] = buf[end + 3:]
            return buf[:end + 3]
        d = s.recv(65536)
        if not d:
            return buf
        buf += d


def call(d, obj, timeout=20):
    """send one request on a fresh connection, return the decoded reply"""
    s = d.connect(timeout)
    s.sendall(json.dumps(obj).encode() if not isinstance(obj, bytes) else obj)
    raw = read_reply(s, timeout)
    s.close()
    return raw, json.loads(raw.decode("utf-8"))


def result_text(reply):
    r = reply.get("result")
    if not isinstance(r, str) or not r.endswith("lepdendstring"):
        return None
    return r[:-len("lepdendstring")]


class LepClient:
    """LEP's LepDClient transport, reproduced: one persistent connection per
    method, json.dumps({"method": m}) in one send, recv(2048) until the
    current chunk contains the terminator, every occurrence removed from that
    chunk, strict UTF-8 json.loads. A timeout stands in for its hang."""

    def __init__(self, port):
        self.port = port
        self.socks = {}

    def request(self, method, timeout=20):
        s = self.socks.get(method)
        if s is None:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
            self.socks[method] = s
        s.settimeout(timeout)
        s.send(json.dumps({"method": method}).encode())
        data = b""
        while True:
            chunk = s.recv(2048)
            if not chunk:
                raise ConnectionError("closed by the server (LEP would busy-loop)")
            if TERM in chunk:
                data += chunk.replace(TERM, b"")
                break
            data += chunk
        return json.loads(data.decode())

    def close(self):
        for s in self.socks.values():
            s.close()


def sleeper_during(d, request, n=20, us=50000):
    """call request() in a thread; once the daemon's run has opened its events,
    start `wl nanosleep N US`, which sleeps N times US microseconds (each sleep
    as wl measured it is in the returned list, ns). Returns (request()'s value,
    wl's pid, the measured sleeps, whether the run was seen, the records the
    kernel lost meanwhile)"""
    import tempfile
    import threading
    box = {}
    lost = d.metric("perf_prof_lost_records_total")
    t = threading.Thread(target=lambda: box.update(v=request()))
    t.start()
    deadline = time.time() + 20
    while not d.perf_fds() and time.time() < deadline and t.is_alive():
        time.sleep(0.02)
    seen = d.perf_fds() > 0
    # opened, then mapped and enabled: under load (or ASan) the enable came more than
    # 1 s after the open now and then, and the workload's first sleep was not seen
    time.sleep(2.0)
    with tempfile.NamedTemporaryFile("r") as m:
        p = subprocess.Popen([WL, "-M", m.name, "nanosleep", str(n), str(us)],
                             stdout=subprocess.DEVNULL)
        p.wait()
        measured = [int(x) for x in m.read().split()]
    t.join(60)
    return box.get("v"), p.pid, measured, seen, d.metric("perf_prof_lost_records_total") - lost


def check_sleeps(name, doc, pid, n, us, measured, seen, lost):
    """task-state's JSON report has @pid's N sleeps of US in state S: exactly N
    intervals in US's log2 bucket, their sum within what wl measured. When the
    kernel lost records, task-state forgets the intervals open then: skipped"""
    if lost:
        skip("%s: task-state's S row of a workload sleeping %d x %d us" % (name, n, us),
             "the kernel lost %d records during the run (the machine is loaded): task-state "
             "forgets the intervals open then, the exact count cannot hold" % lost)
        return True
    rows = [r for r in (doc or {}).get("rows", []) if r.get("pid") == pid]
    st = ([r["stats"] for r in rows if r.get("state") == "S"] or [{}])[0]
    bucket = sum(h["count"] for h in st.get("hist", []) if h["lo"] <= us * 1000 <= h["hi"])
    total = st.get("sum", 0)
    return check("%s: task-state's S row of a workload sleeping %d x %d us: %d in its bucket, "
                 "%d in all, %.3f s (wl measured %.3f s)" % (name, n, us, bucket, st.get("count", 0),
                                                            total / 1e9, sum(measured) / 1e9),
                 seen and len(measured) == n and bucket == n and st.get("count", 0) >= n and
                 n * us * 1000 <= total <= sum(measured) + 200e6,
                 "run seen: %s" % seen, repr(rows)[:600], repr(doc)[:300])


def finish():
    sys.exit(1 if failed else 0)
