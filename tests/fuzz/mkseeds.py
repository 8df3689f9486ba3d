#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mkseeds.py - (re)write the seed corpora in tests/fuzz/corpus/<target>/.

usage: tests/fuzz/mkseeds.py

The seeds are committed; run this only to change them. Each file starts
with the byte(s) the harness reads first (see the harness's header comment):
  evspec        attr-mask byte, position byte, selector text [NUL second one]
  expr          context byte, expression, NUL, record bytes
  replay-trace  config byte, replay file (built with tests/replay/mkreplay.py)
  replay-top    config byte, replay file (also replay-multi-trace,
                replay-num-dist, replay-kmemleak)
  opt           profiler byte (registry order), argument words separated by NUL
  probe-spec    kind byte (bit 2: whole term), ARGS or the term after "KIND:"
  probe-elf     name length, name, 16-bit offset, ELF file (built here)
"""
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRACEFS = os.path.join(HERE, "..", "replay", "tracefs")
MKREPLAY = os.path.join(HERE, "..", "replay", "mkreplay.py")
CORPUS = os.path.join(HERE, "corpus")

ALL_ATTRS = 0x7F  # alias stack max-stack key top-by top-add comm (no printkey)


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def evspec_seeds():
    sels = [
        "sched:sched_switch",
        "sched:sched_switch/prev_pid>0/",
        "sched:sched_switch//key=prev_pid/top-by=prev_state/",
        "sched:sched_wakeup,sched:sched_switch//stack/",
        "sched:sched_wakeup*//alias=W/max-stack=8/",
        "'sched:sched_switch'/'prev_comm ~ \"a/b\"'/comm=\"prev_comm\"/",
        "uprobe:malloc@\"/lib/x86_64-linux-gnu/libc.so.6\"(size=%di)//stack/",
        "uretprobe:main+0x10@./a.out",
        "kprobe:do_sys_open(dfd=%di:s32)/dfd==3/",
        "kretprobe:vfs_read",
        "sys:ev[a-z]?/x==(1,2)/top_by=x/",
        "sched_switch",
        "sched:sched_switch//key=pid",
        "sched:sched_switch//foo/",
        "sched:sched_switch/prev_pid>0",
        "sched:sched_switch/stack/",
        "sched:sched_switch//pid>0/",
        "sched:sched_switch//max-stack=0/",
        "sched:sched_switch//stack=1/",
        "a:b,,c:d",
        "a:b/(x/",
        "a:b/'x/",
        " \t ",
        "uprobe:f@./a.out/x>0/",
        "kprobe:f@file",
        ":x",
        "x:",
        "s:e\x01v",
        "s:e//alias=\xc3\xa9\xc3\xa9/key==1/",
    ]
    for i, s in enumerate(sels):
        mask = 0xFF if i == 0 else (ALL_ATTRS if i % 5 else 0x07)
        write("evspec", f"sel-{i:02d}", bytes([mask, i & 3]) + s.encode("latin-1"))
    write("evspec", "two-args", bytes([ALL_ATTRS, 0]) + b"a:b//key=x/\0c:d/y<2/stack/")


def expr_seeds():
    rec_task = bytearray(40)
    rec_task[8:13] = b"swapp"
    rec_task[24:28] = struct.pack("<i", 4242)
    rec_task[28:32] = struct.pack("<i", 120)
    rec_ints = bytearray(struct.pack("<HBBi", 102, 1, 2, 77) + struct.pack("<qQ", -5, 9)
                         + bytes(range(20, 52)))
    # dyn: name at 28 (len 4), file at 32 (len 6), rel right after itself, ips at 40
    rec_dyn = bytearray(64)
    rec_dyn[8:12] = struct.pack("<I", (4 << 16) | 28)
    rec_dyn[12:16] = struct.pack("<I", (6 << 16) | 32)
    rec_dyn[20:24] = struct.pack("<I", (3 << 16) | 0)
    rec_dyn[24:28] = struct.pack("<I", (16 << 16) | 40)
    rec_dyn[28:32] = b"abc\0"
    rec_dyn[32:38] = b"/tmp/x"
    rec_dyn[40:56] = struct.pack("<QQ", 0xffffffff81000000, 7)
    rec_arr = bytearray(struct.pack("<HBBi", 104, 0, 0, 1) + struct.pack("<4i", 1, -2, 3, -4)
                        + struct.pack("<3Q", 1, 2, 3) + struct.pack("<HHi", 80, 443, 2)
                        + bytes(16) + struct.pack("<2I", 5, 6))
    rec_msg = bytearray(struct.pack("<HBBiQ", 105, 0, 0, 1, 0xffffffff81000000) + b"hello\n\0\0")
    rec_sys = bytearray(struct.pack("<HBBiiiQQQ", 106, 0, 0, 1, 1, 0, 1, 0x7fff0000, 100))
    seeds = [
        (0, "pid > 0 && prio < 130", rec_task),
        (0, "comm == \"swapp\" || comm ~ \"sw*\"", rec_task),
        (0, "comm_get(pid)", rec_task),
        (0, "printf(\"%s %d %x\\n\", comm, pid, state)", rec_task),
        (0, "state & 1 ? pid : -prio", rec_task),
        (0, "pid / (prio - 120)", rec_task),
        (0, "strncmp(comm, \"swa\", 3) == 0 && strlen(comm) == 5", rec_task),
        (1, "a * b + c - d << e >> f", rec_ints),
        (1, "(s64)b / a % 3 == -1", rec_ints),
        (1, "mac[5] + addr[3] + ntohl(g) + ntohs(e) + abs(h)", rec_ints),
        (1, "min(a, b) != max(c, d) && !on", rec_ints),
        (1, "printf(\"%pI4 %02x\", addr, c)", rec_ints),
        (2, "name == \"abc\" && file ~ \"/tmp/*\"", rec_dyn),
        (2, "rel == \"\" || ips[1] == 7", rec_dyn),
        (2, "ksymbol(ips[0])", rec_dyn),
        (2, "printf(\"%s:%s\", name, file)", rec_dyn),
        (3, "v[i] + stack[2] + port[1]", rec_arr),
        (3, "rest[1] * v[3]", rec_arr),
        (3, "v[-1]", rec_arr),
        (4, "buf ~ \"hel*\" && ip > 0", rec_msg),
        (4, "strlen(buf)", rec_msg),
        (5, "syscall_name(__syscall_nr) == \"write\" && count > 10", rec_sys),
        (5, "fd == 1 ? count : 0", rec_sys),
        (6, "key * 2 + a", b""),
        (6, "printf(\"%-8d\", key)", b""),
        (7, "_cpu == 1 && _pid > 0 && _tid != _pid && _time > 0 && _period", b""),
        (7, "0x7fffffffffffffff + 1", b""),
        (7, "1 / 0", b""),
        (0x80, "pid > 1 && (prio == 120 || comm != \"x\")", rec_task),
        (0x80 | 2, "name", rec_dyn),
        (0, "pid >", rec_task),
        (1, "\"unterminated", b""),
    ]
    for i, (sel, src, rec) in enumerate(seeds):
        write("expr", f"expr-{i:02d}", bytes([sel]) + src.encode() + b"\0" + bytes(rec))
    # the same program on a record too short for it
    write("expr", "short-record", bytes([0]) + b"prio > 0\0" + bytes(10))


def replay(events, desc, layout="full"):
    out = os.path.join(CORPUS, ".tmp.bin")
    env = dict(os.environ, MKREPLAY_LAYOUT=layout)
    subprocess.run([sys.executable, MKREPLAY, TRACEFS, events, out], input=desc.encode(),
                   check=True, env=env)
    data = open(out, "rb").read()
    os.unlink(out)
    return data


def replay_seeds():
    evs = "sched:sched_wakeup,syscalls:sys_enter_write,sched:sched_switch"
    two_rings = """ring 0
comm 5000001 5000001 alpha time=1
sample sched:sched_wakeup time=1000001000 _pid=5000001 comm=kworker/0:1 pid=17 prio=120 target_cpu=0
sample sched:sched_wakeup time=1000003000 _pid=5000001 comm=a pid=18 prio=100 target_cpu=1
sample syscalls:sys_enter_write time=1000003500 _pid=5000001 fd=1 count=7
ring 1
sample sched:sched_wakeup time=1000002000 _pid=5000002 comm=b pid=19 prio=121 target_cpu=1 common_flags=0x9 common_preempt_count=2
sample sched:sched_switch time=1000004000 _pid=5000002 prev_comm=b prev_pid=19 prev_state=1 next_comm=c next_pid=20
"""
    lost = """ring 1
sample sched:sched_wakeup time=5 _pid=7 comm=x pid=1 prio=130
lost 42 time=6
sample syscalls:sys_enter_write time=7 _pid=7 fd=0 count=3
"""
    bad = """ring 0
sample sched:sched_wakeup time=5 _pid=3 comm=x pid=1
badsize
"""
    many = "ring 0\n" + "".join(
        f"sample sched:sched_wakeup time={t} _pid={100 + t % 7} comm=w{t} pid={t} prio={90 + t}\n"
        for t in range(12)) + "ring 3\n" + "".join(
        f"sample syscalls:sys_enter_write time={t * 2} _pid={200 + t % 3} fd={t % 4} count={t}\n"
        for t in range(8))
    stacks = """ring 0
sample sched:sched_wakeup time=5 _pid=3 comm=x pid=1 stack=0xfffffffffffffe00,0xffffffff81000000,0x401000
sample syscalls:sys_enter_write time=6 _pid=3 fd=1 count=2 stack=0xfffffffffffffe00
sample sched:sched_switch time=7 _pid=3 prev_pid=3 next_pid=0 stack=0xffffffff81000010
"""
    # keys that meet: a wakeup paired with its switch, an object allocated and freed
    pairs = """ring 0
sample sched:sched_wakeup time=1000 _pid=10 comm=a pid=17 prio=100 target_cpu=0
sample syscalls:sys_enter_write time=1500 _pid=17 fd=17 count=300
sample sched:sched_wakeup time=2000 _pid=10 comm=b pid=18 prio=120 target_cpu=1
ring 1
sample sched:sched_switch time=3000 _pid=0 prev_comm=x prev_pid=17 prev_state=0 next_comm=a next_pid=17
sample sched:sched_switch time=9000 _pid=17 prev_comm=a prev_pid=18 prev_state=1 next_comm=b next_pid=18
sample syscalls:sys_enter_write time=9500 _pid=18 fd=3 count=5000
sample sched:sched_wakeup time=9600 _pid=18 comm=c pid=17 prio=90 target_cpu=1
"""
    descs = {"two-rings": two_rings, "lost": lost, "badsize": bad, "many": many, "pairs": pairs}
    files = {k: replay(evs, v) for k, v in descs.items()}
    files["stacks"] = replay(evs, stacks)
    # the compact layout of live runs (the inline decoder)
    compact = {"compact-" + k: replay(evs, v, "compact")
               for k, v in (("two-rings", two_rings), ("lost", lost), ("many", many),
                            ("stacks", stacks))}
    # damaged files: truncated inside a ring, a ring longer than the file,
    # an impossible ring count, a record cut short, an oversized record
    two = files["two-rings"]
    files["truncated"] = two[:len(two) - 13]
    files["ring-too-long"] = two[:20] + struct.pack("<Q", 1 << 40) + two[28:]
    files["ring-count"] = b"PPREPLAY" + struct.pack("<I", 5000)
    files["no-magic"] = b"PPREPLAX" + two[8:]
    cut = bytearray(two)
    cut[28 + 6:28 + 8] = struct.pack("<H", 0xfff8)  # first record claims 64 KiB
    files["oversized-record"] = bytes(cut)
    tiny = bytearray(two)
    tiny[28 + 6:28 + 8] = struct.pack("<H", 8)  # a bare header
    files["tiny-record"] = bytes(tiny)
    odd = bytearray(two)
    odd[28 + 6:28 + 8] = struct.pack("<H", 13)  # not a multiple of 8
    files["odd-size"] = bytes(odd)
    # per target: the config bytes (see each harness's config_make) and the
    # bit that makes the events sample stacks
    targets = (
        ("replay-trace", (0x00, 0x01, 0x02, 0x08, 0x1d, 0x21, 0x40, 0x80, 0xc3), 0x04),
        ("replay-top", (0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x44, 0x80, 0xd5), 0),
        ("replay-multi-trace", (0x00, 0x01, 0x02, 0x06, 0x08, 0x10, 0x20, 0x47, 0x80, 0x9e), 0x40),
        ("replay-num-dist", (0x00, 0x01, 0x02, 0x04, 0x10, 0x20, 0x40, 0x80, 0x97), 0x08),
        ("replay-kmemleak", (0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x43, 0x80, 0x9d), 0x02),
    )
    for target, sels, stack_bit in targets:
        n = 0
        for name, data in sorted(files.items()):
            sel = sels[n % len(sels)]
            if name == "stacks":
                sel |= stack_bit
            write(target, f"{name}-{sel:02x}", bytes([sel]) + data)
            n += 1
        for sel in sels:
            write(target, f"two-rings-{sel:02x}", bytes([sel]) + files["two-rings"])
            if target not in ("replay-trace", "replay-top"):
                write(target, f"pairs-{sel:02x}", bytes([sel]) + files["pairs"])
        for n, (name, data) in enumerate(sorted(compact.items())):
            sel = sels[n % len(sels)]
            if name.endswith("stacks"):
                sel |= stack_bit
            write(target, f"{name}-{sel:02x}", bytes([sel]) + data)


def probe_spec_seeds():
    args = [
        "size=arg1", "a=arg1:s64,b=arg2:s32,c=arg3:x64,s=arg4:string",
        "ret=$retval:s64", "s=+0(%di):string,n=arg2:s32", "x=+8(+0(%sp)):u8[16]",
        "g=@+0x40f0:s64", "$comm,%ax,%r12,$stack,$stack3", "p=+u8(arg2):ustring",
        "k=@jiffies+8:u64", "v=arg1:symbol", "c=arg1:char, d = arg2 :x8",
        "arg7", "x=arg1:u128", "=arg1", "a=arg1,a=arg2",
    ]
    n = 0
    for kind in range(4):
        for a in args:
            write("probe-spec", f"args-{n:02d}", bytes([kind]) + a.encode())
            n += 1
    terms = [
        (0, 'pp_unit_target(a=arg1)'), (0, 'probed_ident+3@x'), (1, 'probed_ident@x(ret=$retval)'),
        (1, 'probed_ident+3@x'), (0, 'main+1@"./a.out"(s=arg1:string)//stack/'),
        (0, '0x1139@x'), (2, 'vfs_read+8(fd=arg1:s32,buf=arg2:x64)/fd>2/'),
        (3, 'vfs_read(ret=$retval:s64)'), (3, 'vfs_read+4'), (0, '"malloc@libc(size=arg1)"'),
        (2, 'do_sys_openat2(dfd=arg1:s32,path=arg2:ustring)//alias=o/'),
    ]
    for i, (kind, t) in enumerate(terms):
        write("probe-spec", f"term-{i:02d}", bytes([kind | 4]) + t.encode())


def elf64(code, funcs, strip=False, debuglink=None, build_id=None):
    """a small x86_64 ET_DYN: one PT_LOAD (R+X) of the whole file, .text with
    @code at 0x1000, .symtab of @funcs [(name, off, size)], notes"""
    text_off = 0x1000
    shstr = b"\0.text\0.symtab\0.strtab\0.shstrtab\0.gnu_debuglink\0.note.gnu.build-id\0"
    strtab = b"\0" + b"".join(f.encode() + b"\0" for f, _, _ in funcs)
    syms = struct.pack("<IBBHQQ", 0, 0, 0, 0, 0, 0)
    pos = 1
    for name, off, size in funcs:
        syms += struct.pack("<IBBHQQ", pos, 0x12, 0, 1, text_off + off, size)  # GLOBAL FUNC
        pos += len(name) + 1
    body = bytearray(text_off)
    body += code
    secs = []  # (name_off, type, flags, addr, off, size, link, info, align, entsize)
    secs.append((0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    secs.append((1, 1, 6, text_off, text_off, len(code), 0, 0, 16, 0))
    if not strip:
        sym_off = len(body)
        body += syms
        str_off = len(body)
        body += strtab
        secs.append((7, 2, 0, 0, sym_off, len(syms), 3, 1, 8, 24))
        secs.append((15, 3, 0, 0, str_off, len(strtab), 0, 0, 1, 0))
    if debuglink:
        link = debuglink.encode() + b"\0"
        link += b"\0" * (-len(link) % 4) + struct.pack("<I", 0)
        off = len(body)
        body += link
        secs.append((33, 1, 0, 0, off, len(link), 0, 0, 4, 0))
    if build_id:
        note = struct.pack("<III", 4, len(build_id), 3) + b"GNU\0" + build_id
        off = len(body)
        body += note
        secs.append((48, 7, 2, 0, off, len(note), 0, 0, 4, 0))
    shstr_off = len(body)
    body += shstr
    secs.append((23, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0))
    while len(body) % 8:
        body += b"\0"
    sh_off = len(body)
    for s in secs:
        body += struct.pack("<IIQQQQIIQQ", *s)
    ehdr = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, b"\0" * 7,
                       3, 62, 1, 0, 64, sh_off, 0, 64, 56, 1, 64, len(secs), len(secs) - 1)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, 0, 0, len(body), len(body), 0x1000)
    body[0:64] = ehdr
    body[64:64 + 56] = phdr
    return bytes(body)


def probe_elf_seeds():
    ident = bytes([0x48, 0x89, 0xf8, 0xc3])
    insn = bytes([0x48, 0x89, 0xf8, 0x48, 0x05, 0x34, 0x12, 0, 0, 0x90, 0xc3])
    code = ident + bytes(12) + insn
    funcs = [("ident", 0, 4), ("insn", 16, 11), ("nosize", 16, 0)]
    full = elf64(code, funcs)
    stripped = elf64(code, funcs, strip=True, debuglink="bin.debug",
                     build_id=bytes(range(20)))

    def seed(name, func, off, elf):
        f = func.encode()
        write("probe-elf", name, bytes([len(f)]) + f + struct.pack("<H", off) + elf)

    seed("ident-0", "ident", 0, full)
    seed("ident-1", "ident", 1, full)
    seed("ident-3", "ident", 3, full)
    seed("insn-9", "insn", 9, full)
    seed("insn-5", "insn", 5, full)
    seed("nosize-3", "nosize", 3, full)
    seed("addr", "0x1010", 0, full)
    seed("missing", "nothere", 0, full)
    seed("stripped", "ident", 0, stripped)


# the registry order of monitors/profilers.def: byte 0 of an opt seed
PROFILERS = ["list", "trace", "top", "multi-trace", "num-dist", "kmemleak", "nop"]


def opt_seeds():
    lines = [
        ("trace", "-e sched:sched_switch --order -N 10 -m 64 --watermark 30 --json -vv -q"),
        ("trace", "-e sched:sched_switch//stack/ -g --call-graph dwarf,4096 --no-user-callchain "
                  "--srcline -C 0-3,5 -N 1"),
        ("trace", "-e sched:sched_wakeup -p 1,2,3 -t 7 --kernel-callchain"),
        ("trace", "-e sched:sched_switch -i 2s -- true"),
        ("trace", "-e sched:sched_switch --call-graph=fp -gqv -N1 -m8 help"),
        ("top", "-e sched:sched_switch//key=prev_pid/top-by=prev_state/ -k prev_pid --only-comm "
                "--cumulative --top 5 --max-rows 100 -i 500ms"),
        ("top", "-e sched:sched_wakeup//printkey=printf(\"%*d\",8,key)/ --no-order --top=-1"),
        ("multi-trace", "-e sched:sched_wakeup//key=pid/ -e sched:sched_switch//key=next_pid/ "
                        "--than 1ms --detail=-1ms,+2ms,samecpu,samekey,1,2 --impl pair --perins "
                        "--cycle --max-keys 1000 --backlog-mb 1"),
        ("multi-trace", "-e sched:sched_wakeup -e sched:sched_switch -k pid --detail --than 5us"),
        ("multi-trace", "-e sched:sched_wakeup -e sched:sched_switch --impl bogus --backlog-mb 0"),
        ("num-dist", "-e syscalls:sys_enter_write//num=count/ --than 100 --perins -i 1s"),
        ("num-dist", "-e sched:sched_switch//delay=prev_state/ --than 2ms --json"),
        ("kmemleak", "--alloc sched:sched_wakeup//ptr=pid/size=prio/ --free sched:sched_switch//ptr=prev_pid/ "
                     "--than 1s --max-objects 100 --top 3 -g"),
        ("kmemleak", "--alloc sched:sched_wakeup//ptr=pid/ --free sched:sched_switch --json -N 5"),
        ("list", "sched:*"),
        ("list", "--probes"),
        ("nop", "-e sched:sched_switch -m 8 -N 3"),
        # refused, each in its own way
        ("trace", "-e sched:sched_switch -m 3"),
        ("trace", "-e sched:sched_switch -i 0"),
        ("trace", "-e sched:sched_switch --watermark 101 -N 0"),
        ("trace", "-e sched:sched_switch --call-graph dwarf,7"),
        ("trace", "-e sched:sched_switch -vq -x --json=1"),
        ("trace", "-e sched:sched_switch -C 0-9999999999 -p 0 -t x"),
        ("top", "-e sched:sched_switch --top 2147483648 --max-rows -1"),
        ("multi-trace", "-e sched:sched_wakeup -e sched:sched_switch --than 1.5 --detail=+x"),
        ("num-dist", "-e syscalls:sys_enter_write//num=count/ --than -1"),
        ("kmemleak", "--than 10 --libc"),
        ("trace", "--ordr --flame-graph x"),
        ("nop", "-e sched:sched_switch --json --"),
    ]
    for i, (prof, words) in enumerate(lines):
        argv = [w.encode() for w in words.split(" ")]
        write("opt", f"opt-{i:02d}", bytes([PROFILERS.index(prof)]) + b"\0".join(argv))


def main():
    evspec_seeds()
    expr_seeds()
    replay_seeds()
    probe_spec_seeds()
    probe_elf_seeds()
    opt_seeds()


main()
