# SPDX-License-Identifier: GPL-2.0
#
# replay/kmemleak.sh - kmemleak on a synthetic stream of kmem:kmalloc and
# kmem:kfree records, one of them delivered out of order: a free that comes
# before its allocation, as when the two ran on different CPUs and the
# allocation's record was committed late (a vCPU the host preempted). Its
# timestamp says it was freed, so it is no leak; a free stamped before an
# allocation of the same address stays a free of something else.
. "$TESTS_DIR/lib.sh"
R=$TESTS_DIR/replay
export PERF_PROF_TRACEFS=$R/tracefs
rep=$T_TMP/rec.bin

# 0x1000: allocated, never freed (64 bytes)
# 0x2000: allocated at 2000, freed at 3000, the free delivered first (128 bytes)
# 0x3000: freed at 4000 (an older object), allocated at 5000 and kept (32 bytes)
python3 "$R/mkreplay.py" "$PERF_PROF_TRACEFS" kmem:kmalloc,kmem:kfree "$rep" <<'D'
ring 0
comm 100 100 app time=1
sample kmem:kmalloc time=1000 _pid=100 _tid=100 ptr=4096 bytes_req=64 bytes_alloc=64
sample kmem:kfree time=3000 _pid=100 _tid=100 ptr=8192
sample kmem:kmalloc time=2000 _pid=100 _tid=100 ptr=8192 bytes_req=128 bytes_alloc=128
sample kmem:kfree time=4000 _pid=100 _tid=100 ptr=12288
sample kmem:kmalloc time=5000 _pid=100 _tid=100 ptr=12288 bytes_req=32 bytes_alloc=32
D

PERF_PROF_REPLAY=$rep pp kmemleak --alloc kmem:kmalloc --free kmem:kfree --json
check_rc "replay: kmemleak exits 0" 0
check_eq "replay: the late free matched, two objects left (64 + 32 bytes)" \
	"$(python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]
print(d["objects"], d["bytes"], d["allocs"], d["frees"], d["unknown_frees"], d["late_frees"])
' "$out")" "2 96 3 2 1 1"

PERF_PROF_REPLAY=$rep pp kmemleak --alloc kmem:kmalloc --free kmem:kfree
check_eq "replay: the text report says it" \
	"$(grep -c 'note: 1 frees delivered before their allocation (on another CPU, committed late): matched' "$out")" 1
