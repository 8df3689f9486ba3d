# SPDX-License-Identifier: GPL-2.0
"""viewer.py - the daemon's web viewer: its embedded files and headers, the
peer list from --peer only, and headless Debian chromium loading the page
(a screenshot under build/ that is not blank). Not yet checked: the DOM
after refreshes (--dump-dom's timing proved unreliable; the DevTools
protocol is the way, see Documentation/viewer.md)."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from dtest import PP, Daemon, check, skip  # noqa: E402

d = Daemon("--peer", "127.0.0.1:1", "--peer", "[::1]:2")
status, ctype, body = d.http("/")
check("viewer: / is the page (text/html)", status == 200 and ctype.startswith("text/html")
      and b"<canvas" in body, status, ctype)
for path, kind, needle in (("/viewer/viewer.js", "text/javascript", b"setupCharts"),
                           ("/viewer/flame.js", "text/javascript", b"Flame"),
                           ("/viewer/viewer.css", "text/css", b"prefers-color-scheme"),
                           ("/viewer/chart.min.js", "text/javascript", b"Chart")):
    with open("/usr/share/javascript/chart.js/chart.min.js", "rb") as f:
        chartjs = f.read()
    status, ctype, body = d.http(path)
    same = body == chartjs if path.endswith("chart.min.js") else needle in body
    check("viewer: %s served as %s, whole" % (path, kind),
          status == 200 and ctype.startswith(kind) and same, status, ctype, len(body))
check("viewer: an unknown file is 404", d.http("/viewer/nope.js")[0] == 404)
status, ctype, body = d.http("/viewer/peers.json")
check("viewer: peers.json lists the --peer addresses, in order",
      status == 200 and body.strip() == b'{"peers":["127.0.0.1:1","[::1]:2"]}', body)
r = subprocess.run([PP, "daemon", "--peer", "example.com:80"], capture_output=True, timeout=20)
check("viewer: a --peer that is not a numeric address is a usage error (129)",
      r.returncode == 129 and b"hint:" in r.stderr, r.returncode, r.stderr)
d.stop()

chromium = shutil.which("chromium")
if not chromium:
    skip("viewer: chromium loads the page", "no chromium (Debian package chromium)")
    sys.exit(1 if __import__("dtest").failed else 0)


def browse(url, *args):
    prof = tempfile.mkdtemp(prefix="pp-chromium-")
    try:
        return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                               "--user-data-dir=" + prof, "--timeout=7000",
                               "--window-size=1280,1600"] + list(args) + [url],
                              capture_output=True, timeout=90)
    finally:
        shutil.rmtree(prof, ignore_errors=True)


def png_blank(path):
    """True when every pixel byte of the PNG is the same (a blank page)"""
    with open(path, "rb") as f:
        data = f.read()
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    return len(set(raw[1:4096 * 64])) <= 2


d = Daemon()
shot = os.path.join(os.environ.get("BUILD_DIR", "build"), "viewer.png")
r = browse("http://127.0.0.1:%d/?interval=1000" % d.http_port, "--screenshot=" + shot)
check("viewer: a screenshot of the page (%s) is not blank" % shot,
      os.path.exists(shot) and not png_blank(shot), r.stderr.decode()[-800:])
d.stop()
sys.exit(1 if __import__("dtest").failed else 0)
