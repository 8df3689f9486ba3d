# SPDX-License-Identifier: GPL-2.0
"""viewer.py - the daemon's web viewer: its embedded files and headers, the
peer list from --peer only, then the page in headless Debian chromium driven
through the DevTools protocol (a websocket spoken by hand, stdlib only),
inside a network namespace that has only loopback: no console error, every
chart has points after two refreshes and the memory chart adds up to
MemTotal, the top table has the workload's pid, the flame graph and the
system-call table show what the daemon's JSON answered (the workload's hot
function among it), pause stops the charts, peers side by side, every
request counted and on loopback, a screenshot under build/ that is not
blank. bench/viewer.sh uses Browser to measure the daemon's CPU."""
import atexit
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dtest import PP, Daemon, check, skip  # noqa: E402


class Browser:
    """headless chromium with one page, driven through its DevTools protocol
    over the websocket --remote-debugging-port serves (RFC 6455 by hand: the
    client masks its frames, the browser's come unmasked)"""

    def __init__(self, chromium, width=1280, height=800):
        self.prof = tempfile.mkdtemp(prefix="pp-chromium-")
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + self.prof,
             "--remote-debugging-port=0", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-default-apps",
             "--window-size=%d,%d" % (width, height), "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        self.events = []
        self.seq = 0
        self.buf = b""
        self.sock = None
        # a script that dies half-way leaves no browser behind
        atexit.register(self.close)
        try:
            self._attach()
        except Exception:
            self.close()
            raise

    def _attach(self):
        # chromium writes the port it chose to DevToolsActivePort once it listens
        path = os.path.join(self.prof, "DevToolsActivePort")
        deadline = time.time() + 60
        port = None
        while time.time() < deadline and port is None:
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited: " + self.stderr())
            try:
                with open(path) as f:
                    lines = f.read().split("\n")
                if len(lines) >= 2 and lines[1]:
                    port = int(lines[0])
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        if port is None:
            raise RuntimeError("chromium did not listen: " + self.stderr())
        pages = []
        while time.time() < deadline and not pages:
            with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=20) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
            time.sleep(0.1)
        if not pages:
            raise RuntimeError("chromium has no page target")
        url = urllib.parse.urlparse(pages[0]["webSocketDebuggerUrl"])
        self.sock = socket.create_connection((url.hostname, url.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n" % (url.path, url.netloc, key)).encode())
        while b"\r\n\r\n" not in self.buf:
            self.buf += self._recv()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("websocket handshake refused: %r" % head[:200])

    def _recv(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise ConnectionError("chromium closed the DevTools connection")
        return data

    def _take(self, n):
        while len(self.buf) < n:
            self.buf += self._recv()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send_frame(self, op, data):
        n = len(data)
        if n < 126:
            head = struct.pack("!BB", 0x80 | op, 0x80 | n)
        elif n < 1 << 16:
            head = struct.pack("!BBH", 0x80 | op, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | op, 0x80 | 127, n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i & 3] for i, b in enumerate(data))
        self.sock.sendall(head + mask + body)

    def _message(self):
        """the next whole text message (continuations joined, pings answered)"""
        parts = []
        while True:
            b0, b1 = self._take(2)
            op, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._take(8))[0]
            mask = self._take(4) if b1 & 0x80 else None
            data = self._take(n)
            if mask:
                data = bytes(b ^ mask[i & 3] for i, b in enumerate(data))
            if op == 0x8:
                raise ConnectionError("chromium closed the websocket")
            if op == 0x9:
                self._send_frame(0xA, data)
                continue
            if op in (0x0, 0x1, 0x2):
                parts.append(data)
                if b0 & 0x80:
                    return json.loads(b"".join(parts).decode())

    def call(self, method, timeout=60, **params):
        """one DevTools command; events that arrive meanwhile are kept"""
        self.seq += 1
        want = self.seq
        self._send_frame(0x1, json.dumps({"id": want, "method": method,
                                          "params": params}).encode())
        self.sock.settimeout(timeout)
        while True:
            msg = self._message()
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def js(self, expr, timeout=60):
        """the value of a JavaScript expression in the page (promises awaited)"""
        r = self.call("Runtime.evaluate", timeout, expression=expr, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr[:60], r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def until(self, expr, timeout):
        """polls @expr until it is truthy; its last value"""
        deadline = time.time() + timeout
        while True:
            v = self.js(expr)
            if v or time.time() > deadline:
                return v
            time.sleep(0.25)

    def named(self, method):
        return [e["params"] for e in self.events if e["method"] == method]

    def errors(self):
        """what the console showed as errors: exceptions, console.error, logged errors"""
        out = ["exception: " + (e["exceptionDetails"].get("exception", {}).get("description")
                                or e["exceptionDetails"].get("text", ""))
               for e in self.named("Runtime.exceptionThrown")]
        out += ["console.%s: %s" % (e["type"], " ".join(str(a.get("value", a.get("description")))
                                                      for a in e.get("args", [])))
                for e in self.named("Runtime.consoleAPICalled") if e["type"] in ("error", "assert")]
        out += ["log: %s (%s)" % (e["entry"]["text"], e["entry"].get("url", ""))
                for e in self.named("Log.entryAdded") if e["entry"]["level"] == "error"]
        return out

    def stderr(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-800:]

    def close(self):
        if self.sock:
            self.sock.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.prof, ignore_errors=True)


def png_blank(data):
    """True when the PNG's first rows hold at most two byte values (a blank page)"""
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    return len(set(raw[1:4096 * 64])) <= 2


def in_loopback_netns():
    """re-runs this script in a network namespace with only loopback up, so
    the page is shown to work with the network cut; False when it cannot"""
    if os.environ.get("PP_VIEWER_NETNS") or os.geteuid() != 0 or not shutil.which("unshare") \
            or not shutil.which("ip"):
        return bool(os.environ.get("PP_VIEWER_NETNS"))
    probe = subprocess.run(["unshare", "--net", "ip", "link", "set", "lo", "up"],
                           capture_output=True)
    if probe.returncode:
        return False
    os.environ["PP_VIEWER_NETNS"] = "1"
    sys.stdout.flush()
    os.execvp("unshare", ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
                          sys.executable, os.path.abspath(__file__)])


def served_files():
    d = Daemon("--peer", "127.0.0.1:1", "--peer", "[::1]:2")
    status, ctype, body = d.http("/")
    check("viewer: / is the page (text/html)", status == 200 and ctype.startswith("text/html")
          and b"<canvas" in body, status, ctype)
    with open("/usr/share/javascript/chart.js/chart.min.js", "rb") as f:
        chartjs = f.read()
    for path, kind, needle in (("/viewer/viewer.js", "text/javascript", b"setupCharts"),
                               ("/viewer/flame.js", "text/javascript", b"Flame"),
                               ("/viewer/viewer.css", "text/css", b"prefers-color-scheme"),
                               ("/viewer/favicon.svg", "image/svg+xml", b"<svg"),
                               ("/viewer/chart.min.js", "text/javascript", b"Chart")):
        status, ctype, body = d.http(path)
        same = body == chartjs if path.endswith("chart.min.js") else needle in body
        check("viewer: %s served as %s, whole" % (path, kind),
              status == 200 and ctype.startswith(kind) and same, status, ctype, len(body))
    check("viewer: an unknown file is 404", d.http("/viewer/nope.js")[0] == 404)
    with urllib.request.urlopen("http://127.0.0.1:%d/" % d.http_port, timeout=20) as r:
        csp = r.headers.get("Content-Security-Policy", "")
    check("viewer: the page may frame the --peer viewers only (CSP frame-src)",
          "frame-src 'self' http://127.0.0.1:1 http://[::1]:2;" in csp and "default-src 'self'" in csp, csp)
    status, ctype, body = d.http("/viewer/peers.json")
    check("viewer: peers.json lists the --peer addresses, in order",
          status == 200 and body.strip() == b'{"peers":["127.0.0.1:1","[::1]:2"]}', body)
    r = subprocess.run([PP, "daemon", "--peer", "example.com:80"], capture_output=True, timeout=20)
    check("viewer: a --peer that is not a numeric address is a usage error (129)",
          r.returncode == 129 and b"hint:" in r.stderr, r.returncode, r.stderr)
    d.stop()


def flame_matched(node, term):
    """samples of the topmost nodes whose name holds @term (the panel's search count)"""
    if term in node["name"]:
        return node["value"]
    return sum(flame_matched(c, term) for c in node.get("children", []))


def response_json(b, part):
    """the JSON body of the page's last finished request whose URL holds @part"""
    deadline = time.time() + 10
    while True:
        done = {e["requestId"] for e in b.named("Network.loadingFinished")}
        reqs = [e for e in b.named("Network.requestWillBeSent")
                if part in e["request"]["url"] and e["requestId"] in done]
        if reqs or time.time() > deadline:
            break
        b.js("1")		# lets the events that are on their way arrive
        time.sleep(0.1)
    if not reqs:
        return None
    body = b.call("Network.getResponseBody", requestId=reqs[-1]["requestId"])
    text = base64.b64decode(body["body"]) if body.get("base64Encoded") else body["body"]
    return json.loads(text)


CHARTS = """[...document.querySelectorAll('canvas:not(.heatmap)')].map((c) => {
  const ch = Chart.getChart(c);
  return ch ? { id: c.id, labels: ch.data.labels.length, sets: ch.data.datasets.map((d) =>
    ({ label: d.label, points: d.data.filter((v) => v !== null).length,
       last: d.data[d.data.length - 1] })) } : { id: c.id, labels: -1, sets: [] };
})"""


def charts_checks(b):
    got = b.until("(%s).every((c) => c.labels >= 2) && %s" % (CHARTS, CHARTS), 40) or b.js(CHARTS)
    empty = [c["id"] for c in got if c["labels"] < 2 or not c["sets"]
             or any(s["points"] < 1 for s in c["sets"])]
    check("viewer: all %d charts have points in every series after two refreshes" % len(got),
          len(got) == 8 and not empty, "charts without points: %s" % empty, json.dumps(got)[:900])
    by = {c["id"]: c for c in got}
    mem = sum(s["last"] or 0 for s in by.get("c-mem", {"sets": []})["sets"])
    with open("/proc/meminfo") as f:
        total = int(next(line for line in f if line.startswith("MemTotal:")).split()[1]) * 1024
    check("viewer: the memory chart's stack adds up to MemTotal (%d bytes)" % total, mem == total,
          "chart: %s" % mem)
    with open("/proc/stat") as f:
        ncpu = sum(1 for line in f if line[:3] == "cpu" and line[3].isdigit())
    cores = [s["label"] for s in by.get("c-cores", {"sets": []})["sets"]]
    check("viewer: the per-core chart has a series per CPU of /proc/stat (%d)" % ncpu,
          len(cores) == ncpu, cores)
    return by


def top_checks(b, pid):
    row = b.until("""(() => { const r = document.querySelector('#top tbody tr[data-pid="%d"]');
        return r && [...r.cells].map((c) => c.textContent); })()""" % pid, 20)
    check("viewer: the top table has the workload's row (pid %d, command split)" % pid,
          row and row[0] == str(pid) and "split" in row[2], row)
    # a click on %MEM asks the daemon for that order: the column is then sorted
    b.js("document.querySelector('#top th[data-sort=\"mem\"]').click()")
    mem = b.until("""(() => { const v = [...document.querySelectorAll('#top tbody tr')].map(
        (r) => +r.cells[5].textContent); return document.querySelector('#top th.sorted')
        .dataset.sort === 'mem' && v.length > 3 && v.every((x, i) => !i || v[i - 1] >= x) && v;
        })()""", 20)
    check("viewer: a click on %MEM sorts the table by it", bool(mem), mem)


def flame_checks(b):
    shown = b.until("!document.getElementById('flame-panel').hidden", 20)
    if not check("viewer: the flame graph panel shows (the daemon offers ProfProfile)", shown):
        return
    # 5 s: a busy machine leaves the workload few samples in 2
    b.js("document.getElementById('flame-secs').value = '5'; "
         "document.getElementById('flame-run').click()")
    info = b.until("""(() => { const t = document.getElementById('flame-info').textContent;
        return !t.startsWith('running') && t; })()""", 60)
    doc = response_json(b, "/api/v1/prof/profile")
    tree = (doc or {}).get("flame", doc or {})
    check("viewer: the flame panel counts the samples of the daemon's answer (%s)" % info,
          doc and info == "%d samples" % tree.get("value", -1), info, str(doc)[:300])
    b.js("""(() => { const s = document.getElementById('flame-search'); s.value = 'spin_a';
        s.dispatchEvent(new Event('input')); })()""")
    info = b.js("document.getElementById('flame-info').textContent")
    want = flame_matched(tree, "spin_a") if tree else -1
    boxes = b.js("""[...document.querySelectorAll('#flame div.match')].map((d) => d.title)""")
    check("viewer: the flame graph has the workload's hot function spin_a (%d samples; "
          "search: %s)" % (want, info),
          want > 0 and '"spin_a" in %d ' % want in info and boxes, info, boxes)
    # a click on a box zooms: it and its ancestors span the whole width
    z = b.js("""(() => { const g = document.getElementById('flame'); const d = [...g.children]
        .find((x) => x.title.startsWith('spin_a:')); if (!d) return null; d.click();
        const w = g.clientWidth; const m = [...g.children].find((x) =>
        x.title.startsWith('spin_a:'));
        const bottom = Math.max(...[...g.children].map((x) => parseFloat(x.style.top) + 16));
        return [parseFloat(m.style.width), w, parseFloat(g.style.height), bottom]; })()""")
    check("viewer: a click on spin_a zooms it to the full width", z and abs(z[0] - z[1]) < 1, z)
    check("viewer: ... and the graph is as tall as the zoomed boxes (%s px for boxes down to %s px)"
          % (z and z[2], z and z[3]), z and z[2] == z[3], z)


def syscalls_checks(b):
    if not b.js("!document.getElementById('syscalls-panel').hidden"):
        skip("viewer: the system-call table", "the daemon does not offer ProfSyscalls")
        return
    b.js("document.getElementById('syscalls-run').click()")
    b.until("""(() => { const t = document.getElementById('syscalls-info').textContent;
        return !t.startsWith('running') && t; })()""", 60)
    doc = response_json(b, "/api/v1/prof/syscalls") or {}
    rows = b.js("""[...document.querySelectorAll('#syscalls tbody tr')].map((r) =>
        [r.cells[0].textContent, +r.cells[1].textContent, +r.cells[3].textContent,
         +r.cells[4].textContent, +r.cells[6].textContent])""")
    want = {r["syscall"]: [r["calls"], r["errors"], r["latency"]["p50"] / 1000,
                           r["latency"]["max"] / 1000] for r in doc.get("rows", [])}

    def same(row):
        # microseconds shown with one decimal (JavaScript rounds a tie up, Python to even)
        w = want.get(row[0])
        return w and row[1:3] == w[:2] and abs(row[3] - w[2]) <= 0.051 and abs(row[4] - w[3]) <= 0.051

    check("viewer: the system-call table has the %d rows of the daemon's answer: calls, errors, "
          "p50 and max latency, most calls first" % len(want),
          want and len(rows) == len(want) and all(same(r) for r in rows) and
          [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True),
          rows[:5], list(want.items())[:5])


def offcpu_checks(b, methods):
    shown = not b.js("document.getElementById('offcpu-panel').hidden")
    if not methods.get("ProfTaskState"):
        check("viewer: the off-CPU panel is hidden while the daemon lacks ProfTaskState", not shown)
        return
    if not check("viewer: the off-CPU panel shows (the daemon offers ProfTaskState)", shown):
        return
    b.js("document.getElementById('offcpu-run').click()")
    info = b.until("""(() => { const t = document.getElementById('offcpu-info').textContent;
        return !t.startsWith('running') && t; })()""", 60)
    doc = response_json(b, "/api/v1/prof/task-state") or {}
    if "children" in doc or "flame" in doc:
        n = b.js("document.querySelectorAll('#offcpu div').length")
        check("viewer: the off-CPU flame graph is drawn (%s)" % info, n > 0, info)
        return
    rows = b.js("""[...document.querySelectorAll('#offcpu-table tbody tr')].map((r) =>
        [+r.cells[0].textContent, r.cells[2].textContent, +r.cells[4].textContent])""")
    want = sorted(doc.get("rows", []), key=lambda r: -r["stats"]["sum"])
    n = len(want)
    more = ", the 100 longest shown (%d more)" % (n - 100) if n > 100 else ""
    # the same rows as the answer's longest 100 (ties in any order), longest first
    ok = (len(rows) == min(n, 100) and info == "%d rows%s" % (n, more) and
          [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True) and
          all(abs(r[2] - w["stats"]["sum"] / 1e6) < 0.0015 for r, w in zip(rows, want)))
    check("viewer: the off-CPU table has the %d longest of the daemon's %d task x state rows, "
          "longest total first (%s)" % (len(rows), n, info), ok, rows[:5], str(want[:3])[:300])


WL_BIN = os.path.join(os.environ.get("WORKLOAD_DIR", ""), "wl")


def latency_checks(b, methods):
    shown = not b.js("document.getElementById('latency-panel').hidden")
    if not methods.get("ProfMultiTrace"):
        check("viewer: the latency panel is hidden while the daemon lacks ProfMultiTrace", not shown)
        return
    if not check("viewer: the latency panel shows (the daemon offers ProfMultiTrace)", shown):
        return
    # 30 raw nanosleeps of 10 ms, paired from entry to exit, recorded over 5 s
    b.js("""(() => { document.getElementById('lat-begin').value = 'syscalls:sys_enter_nanosleep';
        document.getElementById('lat-end').value = 'syscalls:sys_exit_nanosleep';
        document.getElementById('lat-run').click(); })()""")
    # late enough that the daemon has the events open (a sanitized daemon takes
    # a second), early enough that the 0.3 s of sleeps end within the 5 s
    time.sleep(2.5)
    subprocess.run([WL_BIN, "nanosleep", "30", "10000"], stdout=subprocess.DEVNULL)
    info = b.until("""(() => { const t = document.getElementById('lat-info').textContent;
        return !t.startsWith('running') && t; })()""", 60)
    doc = response_json(b, "/api/v1/prof/multi-trace") or {}
    want = {}
    ivals = [r for r in doc.get("reports", []) if r.get("report") == "interval"]
    for x, r in enumerate(ivals):
        for row in r.get("rows", []):
            for h in row["stats"]["hist"]:
                want[(x, h["lo"])] = want.get((x, h["lo"]), 0) + h["count"]
    cells = b.js("JSON.parse(document.getElementById('latency').dataset.cells || '[]')") or []
    got = {(c[0], c[1]): c[3] for c in cells}
    slow = sum(n for (x, lo), n in got.items() if lo >= 8388608)
    check("viewer: the heatmap draws every (interval, bucket) of the daemon's %d interval "
          "reports with its count, the 30 sleeps of 10 ms among them (%s)" % (len(ivals), info),
          want and got == want and slow == 30, sorted(got.items())[:8], sorted(want.items())[:8])
    # hovering a drawn cell names its bucket and count
    tip = b.js("""(() => { const cv = document.getElementById('latency'), L = cv.layout;
        const c = JSON.parse(cv.dataset.cells).find((c) => c[1] >= 8388608); if (!L || !c) return null;
        const r = cv.getBoundingClientRect(), y = Math.round(Math.log2(c[1]));
        const px = 70 + (c[0] + 0.5) * L.cw, py = (L.ymin + L.rows - 1 - y + 0.5) * L.ch;
        cv.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + px * r.width / cv.width,
          clientY: r.top + py * r.height / cv.height }));
        return [cv.title, c[3]]; })()""")
    check("viewer: hovering a cell says its interval, bucket and pairs (%r)" % (tip,),
          tip and tip[0].endswith(", %d pairs" % tip[1]) and " ms to " in tip[0], tip)


def pause_checks(b):
    b.js("document.getElementById('pause').click()")
    time.sleep(1.5)		# a refresh already on its way lands
    n0 = b.js("Chart.getChart(document.getElementById('c-cs')).data.labels.length")
    time.sleep(2.5)
    n1 = b.js("Chart.getChart(document.getElementById('c-cs')).data.labels.length")
    b.js("document.getElementById('pause').click()")
    n2 = b.until("Chart.getChart(document.getElementById('c-cs')).data.labels.length > %d && "
                 "Chart.getChart(document.getElementById('c-cs')).data.labels.length" % n1, 20)
    check("viewer: pause stops the charts (%s points over 2.5 s), resume goes on" % n0,
          n0 == n1 and n2, n0, n1, n2)


def network_checks(b, ports):
    reqs = [e["request"]["url"] for e in b.named("Network.requestWillBeSent")]
    hosts = {"127.0.0.1:%d" % p for p in ports}
    away = [u for u in reqs if urllib.parse.urlparse(u).scheme not in ("http", "data") or
            (urllib.parse.urlparse(u).scheme == "http" and urllib.parse.urlparse(u).netloc not in hosts)]
    check("viewer: all %d requests of the page went to the daemons on loopback" % len(reqs),
          reqs and not away, "elsewhere: %s" % away[:10])
    failed = [(e.get("errorText"), e.get("blockedReason")) for e in b.named("Network.loadingFailed")
              if not e.get("canceled")]
    check("viewer: no request of the page failed", not failed, failed[:10])


def peers_checks(b, d, peer):
    """side by side: this daemon's page and its peer's, each in a frame"""
    b.call("Page.navigate", url="http://127.0.0.1:%d/?interval=1000" % d.http_port)
    b.until("document.querySelectorAll('#machines button').length === 2", 30)
    b.js("document.querySelectorAll('#machines button')[1].click()")
    frames = b.until("""(() => { const f = [...document.querySelectorAll('#grid iframe')]
        .map((x) => x.src); return !document.getElementById('grid').hidden && f.length === 2 && f;
        })()""", 20)
    want = ["http://127.0.0.1:%d/?embed=1" % p for p in (d.http_port, peer.http_port)]
    check("viewer: side by side shows this daemon's and the --peer's viewer in frames",
          frames == want, frames, want)
    # each frame draws its own daemon's charts: the peer answers its API calls
    url = "http://127.0.0.1:%d/api/v1/cpu" % peer.http_port
    seen = False
    deadline = time.time() + 30
    while not seen and time.time() < deadline:
        b.js("1")
        seen = any(e["request"]["url"] == url for e in b.named("Network.requestWillBeSent"))
        time.sleep(0.25)
    tree = b.call("Page.getFrameTree")["frameTree"]
    kids = [c["frame"]["url"] for c in tree.get("childFrames", [])]
    check("viewer: the peer's frame loads its page and polls the peer's API",
          seen and sorted(kids) == sorted(want), kids, "cpu from the peer: %s" % seen)


def main():
    netns = in_loopback_netns()
    served_files()
    chromium = shutil.which("chromium")
    wl = os.path.join(os.environ.get("WORKLOAD_DIR", ""), "split")
    if not chromium:
        skip("viewer: the page in headless chromium", "no chromium (Debian package chromium)")
        return
    if not os.path.exists(wl):
        skip("viewer: the page in headless chromium", "no workload %s (run through make test)" % wl)
        return
    if netns:
        ok_ = subprocess.run(["ip", "-o", "link", "show", "up"], capture_output=True, text=True)
        links = [line.split(":")[1].strip() for line in ok_.stdout.splitlines()]
        check("viewer: the browser runs with loopback as the only network (%s)" % links,
              links == ["lo"], ok_.stdout)
    else:
        skip("viewer: the browser runs with loopback as the only network",
             "cannot make a network namespace (needs root, unshare and ip)")

    # the workload spins in spin_a (3/4 of its time) until the flame graph is
    # checked, a little ahead of the machine's other work so it gets samples
    work = subprocess.Popen([wl, "120000"], stdout=subprocess.DEVNULL,
                            preexec_fn=lambda: os.nice(-5))
    peer = Daemon()
    d = Daemon("--peer", "127.0.0.1:%d" % peer.http_port)
    b = None
    try:
        b = Browser(chromium)
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.call(domain + ".enable")
        t0 = time.monotonic()
        b.call("Page.navigate", url="http://127.0.0.1:%d/?interval=1000" % d.http_port)
        b.until("document.readyState === 'complete'", 30)
        nav = b.js("(() => { const n = performance.getEntriesByType('navigation')[0]; "
                   "return [n.responseStart - n.startTime, n.loadEventEnd - n.startTime]; })()")
        print("# page load: first byte %.1f ms, load event %.1f ms (%.0f ms seen by the test)"
              % (nav[0], nav[1], 1000 * (time.monotonic() - t0)), flush=True)
        methods = {m["name"]: m["available"] for m in d.api("methods")[1]["methods"]}
        charts_checks(b)
        top_checks(b, work.pid)
        flame_checks(b)
        work.kill()
        syscalls_checks(b)
        offcpu_checks(b, methods)
        latency_checks(b, methods)
        pause_checks(b)
        shot = os.path.join(os.environ.get("BUILD_DIR", "build"), "viewer.png")
        png = base64.b64decode(b.call("Page.captureScreenshot", format="png",
                                      captureBeyondViewport=True)["data"])
        with open(shot, "wb") as f:
            f.write(png)
        check("viewer: a screenshot of the page (%s) is not blank" % shot, not png_blank(png))
        hs = b.js("[...document.querySelectorAll('canvas:not(.heatmap)')].map((c) => Chart.getChart(c).height)")
        check("viewer: the charts keep their 180 px height in a full-page screenshot", hs and
              all(h == 180 for h in hs), hs)
        errs = b.errors()
        check("viewer: the page logged no console error", not errs, *errs[:10])
        network_checks(b, [d.http_port])
        peers_checks(b, d, peer)
        network_checks(b, [d.http_port, peer.http_port])
        errs = b.errors()
        check("viewer: no console error side by side either", not errs, *errs[:10])
    except (OSError, RuntimeError, ConnectionError, ValueError) as e:
        check("viewer: the DevTools session ran to its end", False, repr(e),
              b.stderr() if b else "")
    finally:
        if b:
            b.close()
        work.kill()
        work.wait()
    d.stop()
    peer.stop("viewer: the peer daemon stops cleanly")


if __name__ == "__main__":
    main()
    sys.exit(1 if __import__("dtest").failed else 0)
