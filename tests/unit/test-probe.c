// SPDX-License-Identifier: GPL-2.0
/*
 * test-probe.c - lib/probe/probe.c without a kernel: the ARGS translation and
 * every error with its column, probe terms resolved against this very test
 * binary (the expected file offsets come from /proc/self/maps, i.e. from
 * where the kernel really mapped the code), library names, symbol versions,
 * IFUNCs, separate debuginfo (a stripped copy made with objcopy), and the
 * registry (create, share, name, reap, cleanup) against a fake tracefs
 * directory whose control files are plain files.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evspec.h"
#include "harness.h"
#include "probe.h"

/* the probe targets: kept out of line and exported, one local */
__attribute__((noinline, used)) long pp_unit_target(long a, long b);
__attribute__((noinline, used)) long pp_unit_target(long a, long b)
{
	return a * 3 + b;
}

__attribute__((noinline, used)) static long pp_unit_local(long a)
{
	return a ^ 0x55;
}

long pp_unit_data = 7;

/*
 * pp_unit_insn - a function of known bytes: instructions start at +0
 * (48 89 f8: mov %rdi,%rax), +3 (48 05 34 12 00 00: add $0x1234,%rax),
 * +9 (90: nop) and +10 (c3: ret); 11 bytes.
 */
__asm__(".text\n"
	".globl pp_unit_insn\n"
	".type pp_unit_insn, @function\n"
	"pp_unit_insn:\n"
	"\t.byte 0x48, 0x89, 0xf8\n"
	"\t.byte 0x48, 0x05, 0x34, 0x12, 0x00, 0x00\n"
	"\t.byte 0x90\n"
	"\t.byte 0xc3\n"
	".size pp_unit_insn, .-pp_unit_insn\n");
long pp_unit_insn(long a);
static const u8 insn_bytes[] = { 0x48, 0x89, 0xf8, 0x48, 0x05, 0x34, 0x12, 0x00, 0x00, 0x90, 0xc3 };

/* ---------------------------------------------------------------- helpers */

static int run(const char *cmd)
{
	int r = system(cmd);

	return r == -1 || !WIFEXITED(r) ? -1 : WEXITSTATUS(r);
}

/* map_offset - file offset of @addr in the file mapped there, from /proc/self/maps */
static int map_offset(const void *addr, unsigned long long *off, char *file, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[PATH_MAX + 128];
	unsigned long a = (unsigned long)addr;
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, pgoff;
		char path[PATH_MAX] = "";

		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &lo, &hi, &pgoff, path) < 3)
			continue;
		if (a < lo || a >= hi)
			continue;
		*off = a - lo + pgoff;
		snprintf(file, size, "%s", path);
		found = 0;
	}
	fclose(f);
	return found;
}

/* mapped_lib - real path of the mapped library whose name starts with @prefix */
static int mapped_lib(const char *prefix, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[PATH_MAX + 128];
	int r = -1;

	if (!f)
		return -1;
	while (r && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/'), *base, *real;

		if (!path)
			continue;
		path[strcspn(path, "\n")] = '\0';
		base = strrchr(path, '/') + 1;
		if (strncmp(base, prefix, strlen(prefix)))
			continue;
		real = realpath(path, NULL);
		if (!real)
			continue;
		snprintf(out, size, "%s", real);
		free(real);
		r = 0;
	}
	fclose(f);
	return r;
}

static char *fetch(enum evspec_kind kind, const char *args, int *col, struct err *err)
{
	char *out = NULL;

	*col = -1;
	memset(err, 0, sizeof(*err));
	if (probe__fetchargs(kind, args, &out, col, err))
		return NULL;
	return out;
}

#define CHECK_FETCH(kind, args, want)                        \
	do {                                                 \
		struct err e__;                              \
		int c__;                                     \
		char *o__ = fetch(kind, args, &c__, &e__);   \
		if (!o__)                                    \
			TEST_FAIL("'%s': %s", args, e__.msg); \
		else                                         \
			CHECK_STR(o__, want);                \
		free(o__);                                   \
	} while (0)

#define CHECK_FETCH_ERR(kind, args, want_msg, want_col)      \
	do {                                                 \
		struct err e__;                              \
		int c__;                                     \
		char *o__ = fetch(kind, args, &c__, &e__);   \
		CHECK(o__ == NULL);                          \
		free(o__);                                   \
		CHECK_STR(e__.msg, want_msg);                \
		CHECK_INT(e__.code, EXIT_USAGE);             \
		CHECK_INT(c__, want_col);                    \
	} while (0)

static struct evspec *parse_one(const char *text)
{
	static const char *const acc[] = { "stack", "alias", NULL };
	struct evspec_list l = { 0 };
	struct err err = { 0 };
	struct evspec *ev;

	if (evspec_parse(text, 0, acc, &l, &err) || l.n != 1) {
		printf("#   cannot parse '%s': %s\n", text, err.msg);
		evspec_list_free(&l);
		return NULL;
	}
	ev = l.v[0];
	free(l.v);
	return ev;
}

static char self_path[PATH_MAX];
static unsigned long long target_off, local_off;

/* self_init - this binary's real path and where its two targets are in it */
static int self_init(void)
{
	char file[PATH_MAX];

	if (self_path[0])
		return 0;
	if (!realpath("/proc/self/exe", self_path))
		return -1;
	if (map_offset((const void *)pp_unit_target, &target_off, file, sizeof(file)) ||
	    strcmp(file, self_path))
		return -1;
	if (map_offset((const void *)pp_unit_local, &local_off, file, sizeof(file)))
		return -1;
	return 0;
}

/* ------------------------------------------------------------- fetch args */

TEST(probe_args_aliases)
{
	CHECK_FETCH(EVSPEC_UPROBE, "size=arg1", "size=%di:u64");
	CHECK_FETCH(EVSPEC_UPROBE, "arg1,arg2:s32, arg3:x64 ,arg4:u8,arg5,arg6:s64",
		    "arg1=%di:u64 arg2=%si:s32 arg3=%dx:x64 arg4=%cx:u8 arg5=%r8:u64 arg6=%r9:s64");
	CHECK_FETCH(EVSPEC_UPROBE, "$arg2", "arg2=%si:u64");
	CHECK_FETCH(EVSPEC_URETPROBE, "ret=$retval:s64", "ret=$retval:s64");
	CHECK_FETCH(EVSPEC_URETPROBE, "retval", "ret=$retval:u64");
	CHECK_FETCH(EVSPEC_URETPROBE, "$retval:x32", "ret=$retval:x32");
	CHECK_FETCH(EVSPEC_UPROBE, "", "");
	CHECK_FETCH(EVSPEC_UPROBE, "  ", "");
}

TEST(probe_args_kernel)
{
	CHECK_FETCH(EVSPEC_KPROBE, "dfd=arg1:s32,filename=arg2:ustring",
		    "dfd=%di:s32 filename=+0(%si):ustring");
	CHECK_FETCH(EVSPEC_KRETPROBE, "arg1,ret=$retval:s32", "arg1=$arg1:u64 ret=$retval:s32");
	CHECK_FETCH(EVSPEC_KPROBE, "name=+u0(arg1):ustring", "name=+u0(%di):ustring");
	CHECK_FETCH(EVSPEC_KPROBE, "f=@jiffies:u64", "f=@jiffies:u64");
}

TEST(probe_args_fetches)
{
	CHECK_FETCH(EVSPEC_UPROBE, "path=arg1:string", "path=+0(%di):string");
	CHECK_FETCH(EVSPEC_UPROBE, "path=+0(%di):string", "path=+0(%di):string");
	CHECK_FETCH(EVSPEC_UPROBE, "%rdi,%rax:s32,%r12,%eflags",
		    "di=%di:u64 ax=%ax:s32 r12=%r12:u64 flags=%flags:u64");
	CHECK_FETCH(EVSPEC_UPROBE, "x=+8(+0(%sp)):u32", "x=+8(+0(%sp)):u32");
	CHECK_FETCH(EVSPEC_UPROBE, "y=-0x10(%bp):s16", "y=-0x10(%bp):s16");
	CHECK_FETCH(EVSPEC_UPROBE, "c=$comm,$comm,d=comm:string",
		    "c=$comm:string comm=$comm:string d=$comm:string");
	CHECK_FETCH(EVSPEC_UPROBE, "$stack,$stack1,s2=stack2:x64",
		    "stack=$stack:u64 stack1=$stack1:u64 s2=$stack2:x64");
	CHECK_FETCH(EVSPEC_UPROBE, "v=@0x1000:u32,w=@+0x3dd0:s32", "v=@0x1000:u32 w=@+0x3dd0:s32");
	CHECK_FETCH(EVSPEC_KPROBE, "v=@0x1000:u32,w=@sym+8", "v=@0x1000:u32 w=@sym+8:u64");
	CHECK_FETCH(EVSPEC_UPROBE, "buf=+0(arg2):u8[4],ch=+0(arg1):char",
		    "buf=+0(%si):u8[4] ch=+0(%di):char");
	CHECK_FETCH(EVSPEC_UPROBE, "s=+0(arg1):ustring", "s=+0(%di):ustring");
	CHECK_FETCH(EVSPEC_UPROBE, "_x1=arg1", "_x1=%di:u64");
}

TEST(probe_args_errors)
{
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "arg7", "'arg7' is out of range", 0);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=arg0", "'arg0' is out of range", 2);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "size=arg1:q32", "unknown type 'q32'", 10);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=arg1:", "missing type after ':' in probe argument 'a=arg1:'", 6);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=arg1,,b=arg2", "empty probe argument", 7);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=arg1,", "empty probe argument", 7);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, ",a=arg1", "empty probe argument", 0);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "+0(%di)", "argument '+0(%di)' needs a name", 0);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=arg1, @0x10:u8", "argument '@0x10' needs a name", 8);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "1x=arg1", "invalid argument name '1x'", 0);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "=arg1", "invalid argument name ''", 0);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "abcdefghijabcdefghijabcdefghijab=arg1",
			"invalid argument name 'abcdefghijabcdefghijabcdefghijab'", 0);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=arg1,a=arg2", "duplicate argument name 'a'", 7);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "arg1,arg1", "duplicate argument name 'arg1'", 5);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "common_pid=arg1", "argument name 'common_pid' is reserved", 0);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "__probe_ip=arg1", "argument name '__probe_ip' is reserved", 0);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "x=%foo", "unknown register '%foo'", 2);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "x=%", "unknown register '%'", 2);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "$retval", "'$retval' is only available in return probes", 0);
	CHECK_FETCH_ERR(EVSPEC_KPROBE, "r=retval", "'retval' is only available in return probes", 2);
	CHECK_FETCH_ERR(EVSPEC_URETPROBE, "n=arg1", "'arg1' is not available in a uretprobe", 2);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=+x(%di)", "invalid offset 'x'", 3);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=+0x(%di)", "invalid offset '0x'", 3);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=+0(%di", "unbalanced '(' in probe argument 'a=+0(%di'", 0);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=arg1)", "unbalanced ')' in probe argument 'a=arg1)'", 6);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=+0()", "missing fetch argument", 5);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=+0(%di)x", "invalid dereference '+0(%di)x'", 2);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=+0($comm)", "cannot dereference '$comm'", 5);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=foo", "unknown fetch argument 'foo'", 2);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=", "missing fetch argument", 2);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a=42", "unknown fetch argument '42'", 2);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "a = arg1", "unexpected space in probe argument 'a = arg1'", 1);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "s=arg1:string[4]", "type 'string' cannot be an array", 13);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "b=arg1:u8[65]", "invalid array size '[65]'", 9);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "b=arg1:u8[0]", "invalid array size '[0]'", 9);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "b=arg1:u8[4", "invalid array size '[4'", 9);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "c=$comm:u32", "'$comm' is a string", 8);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "v=@", "missing address after '@'", 2);
	CHECK_FETCH_ERR(EVSPEC_KPROBE, "v=@a*b", "invalid address '@a*b'", 4);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "v=@sym", "invalid address '@sym'", 2);
	CHECK_FETCH_ERR(EVSPEC_UPROBE, "v=arg1:symbol", "type 'symbol' is for kprobes", 7);
}

TEST(probe_args_hints)
{
	struct err e;
	int col;

	CHECK(!fetch(EVSPEC_UPROBE, "arg7", &col, &e));
	CHECK_STR(e.hint, "arg1..arg6 are the integer arguments passed in registers; at function "
			  "entry the next ones are on the stack: $stack1, $stack2...");
	CHECK(!fetch(EVSPEC_URETPROBE, "arg2", &col, &e));
	CHECK_STR(e.hint, "the argument registers hold other values at return; fetch arguments "
			  "at the entry: uprobe:FUNC@FILE(arg2)");
	CHECK(!fetch(EVSPEC_UPROBE, "+0(%di)", &col, &e));
	CHECK_STR(e.hint, "write NAME=+0(%di)");
	CHECK(!fetch(EVSPEC_UPROBE, "x=arg1:i32", &col, &e));
	CHECK_CONTAINS(e.hint, "types are u8..u64, s8..s64, x8..x64 (hex), string, ustring");
}

TEST(probe_args_too_many)
{
	char args[2048] = "", *p = args;
	struct err e;
	int col;
	char *out;

	for (int i = 0; i < 128; i++)
		p += sprintf(p, "%sa%d=arg1", i ? "," : "", i);
	out = fetch(EVSPEC_UPROBE, args, &col, &e);
	CHECK(out != NULL);
	if (out)
		CHECK(!strncmp(out, "a0=%di:u64 a1=%di:u64 ", 22));
	free(out);
	sprintf(p, ",a128=arg1");
	CHECK(!fetch(EVSPEC_UPROBE, args, &col, &e));
	CHECK_STR(e.msg, "too many probe arguments (at most 128)");
	CHECK_INT(col, (int)(p - args) + 1);
}

/* ------------------------------------------------------------ define */

static int define(const char *text, struct probe_def *def, struct err *err)
{
	struct evspec *ev = parse_one(text);
	int r;

	memset(err, 0, sizeof(*err));
	if (!ev) {
		memset(def, 0, sizeof(*def));
		return -2;
	}
	r = probe__define(ev, "/nonexistent-debug", def, err);
	evspec_free(ev);
	return r;
}

TEST(probe_define_uprobe_self)
{
	struct probe_def def;
	struct err err;
	char text[PATH_MAX + 128], want[PATH_MAX + 64];

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	snprintf(text, sizeof(text), "uprobe:pp_unit_target@\"%s\"(a=arg1:s64,b=arg2)//stack/",
		 self_path);
	CHECK_INT(define(text, &def, &err), 0);
	snprintf(want, sizeof(want), "%s:%#llx", self_path, target_off);
	CHECK_STR(def.place, want);
	CHECK_STR(def.path, self_path);
	CHECK_U64(def.offset, target_off);
	CHECK_STR(def.args, "a=%di:s64 b=%si:u64");
	CHECK_STR(def.event, "pp_unit_target");
	CHECK_STR(def.display, "uprobe:pp_unit_target");
	CHECK(!def.kernel && !def.ret);
	probe_def__free(&def);

	/* the return probe, the whole name quoted */
	snprintf(text, sizeof(text), "uretprobe:\"pp_unit_target@%s(ret=$retval:s64)\"", self_path);
	CHECK_INT(define(text, &def, &err), 0);
	snprintf(want, sizeof(want), "%s:%#llx", self_path, target_off);
	CHECK_STR(def.place, want);
	CHECK_STR(def.event, "pp_unit_target__return");
	CHECK_STR(def.display, "uretprobe:pp_unit_target");
	CHECK_STR(def.args, "ret=$retval:s64");
	CHECK(def.ret && !def.kernel);
	probe_def__free(&def);

	/* +OFF on an instruction boundary */
	snprintf(text, sizeof(text), "uprobe:pp_unit_insn+3@\"%s\"", self_path);
	CHECK_INT(define(text, &def, &err), 0);
	CHECK_STR(def.event, "pp_unit_insn_3");
	CHECK_STR(def.display, "uprobe:pp_unit_insn+3");
	probe_def__free(&def);
}

/* a return probe only at the entry: the caret under the offset, exit 129 */
TEST(probe_define_ret_offset)
{
	struct probe_def def;
	struct err err;
	char text[PATH_MAX + 128], *w;

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	snprintf(text, sizeof(text), "uretprobe:pp_unit_insn+3@\"%s\"(ret=$retval)", self_path);
	CHECK_INT(define(text, &def, &err), -1);
	CHECK_STR(err.msg, "a uretprobe is only valid at a function's entry, not at an offset: "
		  "'uretprobe:pp_unit_insn+3'");
	CHECK_INT(err.code, EXIT_USAGE);
	CHECK_CONTAINS(err.hint, "swaps the return address on the stack when the function is entered");
	CHECK_CONTAINS(err.hint, "Use uretprobe:pp_unit_insn for the return, or uprobe:pp_unit_insn+3");
	w = xasprintf("  %s\n  %*s^\n", text, (int)strlen("uretprobe:pp_unit_insn+"), "");
	CHECK_STR(err.detail, w);
	free(w);
	probe_def__free(&def);

	/* offset 0 is the entry */
	snprintf(text, sizeof(text), "uretprobe:pp_unit_insn+0@\"%s\"", self_path);
	CHECK_INT(define(text, &def, &err), 0);
	probe_def__free(&def);
}

/* every offset of a function of known bytes: 4 boundaries, the rest refused */
TEST(probe_define_insn_boundaries)
{
	static const bool boundary[] = { 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1 };
	struct probe_def def;
	struct err err;
	char text[PATH_MAX + 128], *w;
	unsigned long long base = 0;

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	for (size_t off = 0; off <= sizeof(boundary); off++) {
		snprintf(text, sizeof(text), "uprobe:pp_unit_insn+%zu@\"%s\"", off, self_path);
		if (off == sizeof(boundary)) {
			CHECK_INT(define(text, &def, &err), -1);
			CHECK_STR(err.msg, "offset 0xb is beyond 'pp_unit_insn' (11 bytes)");
		} else if (boundary[off]) {
			CHECK_INT(define(text, &def, &err), 0);
			if (!off)
				base = def.offset;
			CHECK_U64(def.offset, base + off);
		} else {
			char want[128];

			CHECK_INT(define(text, &def, &err), -1);
			snprintf(want, sizeof(want),
				 "offset %#zx is inside an instruction of 'pp_unit_insn'", off);
			CHECK_STR(err.msg, want);
			CHECK_INT(err.code, EXIT_USAGE);
			CHECK_CONTAINS(err.hint, "instructions start at +0x0 +0x3 +0x9 +0xa");
			w = xasprintf("  %s\n  %*s^\n", text, (int)strlen("uprobe:pp_unit_insn+"), "");
			CHECK_STR(err.detail, w);
			free(w);
		}
		probe_def__free(&def);
	}
}

/* the decoder alone, on byte buffers */
TEST(probe_insn_check)
{
	static const u8 junk[] = { 0x90, 0x0f, 0xff, 0xff, 0x90, 0x90 };	/* nop, (ud0?) */
	static const u8 lea[] = { 0x48, 0x8d, 0x44, 0x24, 0x08, 0xc3 };		/* lea 8(%rsp),%rax; ret */
	char near[128];

	CHECK_INT(probe__insn_check(insn_bytes, sizeof(insn_bytes), 0, near, sizeof(near)), 0);
	CHECK_INT(probe__insn_check(insn_bytes, sizeof(insn_bytes), 3, near, sizeof(near)), 0);
	CHECK_INT(probe__insn_check(insn_bytes, sizeof(insn_bytes), 10, near, sizeof(near)), 0);
	CHECK_INT(probe__insn_check(insn_bytes, sizeof(insn_bytes), 1, near, sizeof(near)),
		  -EINVAL);
	CHECK_STR(near, "+0x0 +0x3 +0x9 +0xa");
	CHECK_INT(probe__insn_check(insn_bytes, sizeof(insn_bytes), 5, NULL, 0), -EINVAL);
	CHECK_INT(probe__insn_check(insn_bytes, sizeof(insn_bytes), 11, near, sizeof(near)),
		  -ERANGE);
	/* inside the last instruction: the boundaries before it */
	CHECK_INT(probe__insn_check(lea, sizeof(lea), 2, near, sizeof(near)), -EINVAL);
	CHECK_STR(near, "+0x0 +0x5");
	CHECK_INT(probe__insn_check(lea, 5, 4, near, sizeof(near)), -EINVAL);
	CHECK_STR(near, "+0x0");
	/* a truncated instruction does not decode: nothing is guessed past it */
	CHECK_INT(probe__insn_check(lea, 4, 3, near, sizeof(near)), -ENOEXEC);
	CHECK_STR(near, "");
	CHECK_INT(probe__insn_check(junk, sizeof(junk), 5, near, sizeof(near)) < 0, 1);
	/* a small buffer for the list is cut, never overrun */
	CHECK_INT(probe__insn_check(insn_bytes, sizeof(insn_bytes), 1, near, 6), -EINVAL);
	CHECK_STR(near, "+0x0 ");
}

TEST(probe_define_address)
{
	struct probe_def def, by_addr;
	struct err err;
	char text[PATH_MAX + 128];
	unsigned long long vaddr;

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	/* the symbol's st_value is what nm shows; find it through a define by name */
	snprintf(text, sizeof(text), "uprobe:pp_unit_target@\"%s\"", self_path);
	CHECK_INT(define(text, &def, &err), 0);
	/* dladdr gives the load base; the symbol's vaddr is then addr - base */
	{
		Dl_info info;

		CHECK(dladdr((void *)pp_unit_target, &info) != 0);
		vaddr = (unsigned long long)((char *)pp_unit_target - (char *)info.dli_fbase);
	}
	snprintf(text, sizeof(text), "uprobe:%#llx@\"%s\"", vaddr, self_path);
	CHECK_INT(define(text, &by_addr, &err), 0);
	CHECK_U64(by_addr.offset, def.offset);
	snprintf(text, sizeof(text), "p_%#llx", vaddr);
	CHECK_STR(by_addr.event, text);
	probe_def__free(&def);
	probe_def__free(&by_addr);
}

TEST(probe_define_errors)
{
	struct probe_def def;
	struct err err;
	char text[PATH_MAX + 128], want[PATH_MAX + 128], *w;

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	snprintf(text, sizeof(text), "uprobe:pp_no_such_fn@\"%s\"", self_path);
	CHECK_INT(define(text, &def, &err), -1);
	snprintf(want, sizeof(want), "no function 'pp_no_such_fn' in '%s'", self_path);
	CHECK_STR(err.msg, want);
	CHECK_INT(err.code, EXIT_USAGE);
	w = xasprintf("  %s\n         ^\n", text);
	CHECK_STR(err.detail, w);
	free(w);
	probe_def__free(&def);

	snprintf(text, sizeof(text), "uprobe:pp_unit_data@\"%s\"", self_path);
	CHECK_INT(define(text, &def, &err), -1);
	snprintf(want, sizeof(want), "'pp_unit_data' in '%s' is not a function", self_path);
	CHECK_STR(err.msg, want);
	probe_def__free(&def);

	snprintf(text, sizeof(text), "uprobe:pp_unit_target+100000@\"%s\"", self_path);
	CHECK_INT(define(text, &def, &err), -1);
	CHECK_CONTAINS(err.msg, "offset 0x186a0 is beyond 'pp_unit_target' (");
	probe_def__free(&def);

	/* an ARGS error: the caret is under the offending text in the -e argument */
	snprintf(text, sizeof(text), "uprobe:pp_unit_target@\"%s\"(a=arg1,b=arg9)", self_path);
	CHECK_INT(define(text, &def, &err), -1);
	CHECK_STR(err.msg, "'arg9' is out of range");
	w = xasprintf("  %s\n  %*s^\n", text, (int)(strlen(text) - 5), "");
	CHECK_STR(err.detail, w);
	free(w);
	probe_def__free(&def);

	/* a FILE error: the caret is under the file */
	CHECK_INT(define("uprobe:malloc@libnosuchlib_pp(size=arg1)", &def, &err), -1);
	CHECK_STR(err.msg, "no library 'libnosuchlib_pp' found");
	snprintf(want, sizeof(want), "  %s\n  %*s^\n", "uprobe:malloc@libnosuchlib_pp(size=arg1)", 14,
		 "");
	CHECK_STR(err.detail, want);
	CHECK_STR(err.hint, "give the path of the file, quoted: @\"/path/to/libnosuchlib_pp.so\"");
	probe_def__free(&def);

	CHECK_INT(define("uprobe:f@\"/etc/passwd\"", &def, &err), -1);
	CHECK_STR(err.msg, "'/etc/passwd' is not an ELF file of this machine");
	probe_def__free(&def);
}

TEST(probe_define_kprobe)
{
	struct probe_def def;
	struct err err;

	CHECK_INT(define("kprobe:vfs_read+8(fd=arg1:s32,buf=arg2:x64)/fd>2/", &def, &err), 0);
	CHECK_STR(def.place, "vfs_read+8");
	CHECK_STR(def.args, "fd=%di:s32 buf=%si:x64");
	CHECK_STR(def.event, "vfs_read_8");
	CHECK_STR(def.display, "kprobe:vfs_read+8");
	CHECK(def.kernel && !def.ret && !def.path);
	probe_def__free(&def);

	CHECK_INT(define("kretprobe:vfs_read(ret=$retval:s64)", &def, &err), 0);
	CHECK_STR(def.place, "vfs_read");
	CHECK_STR(def.event, "vfs_read__return");
	CHECK(def.kernel && def.ret);
	probe_def__free(&def);

	CHECK_INT(define("kretprobe:vfs_read+4", &def, &err), -1);
	CHECK_STR(err.msg, "a kretprobe is only valid at a function's entry, not at an offset: "
		  "'kretprobe:vfs_read+4'");
	CHECK_STR(err.detail, "  kretprobe:vfs_read+4\n  " "                   ^\n");
	probe_def__free(&def);

	if (geteuid())
		SKIP("kallsyms hides addresses from non-root: unknown names not detectable");
	CHECK_INT(define("kprobe:pp_no_such_kernel_fn", &def, &err), -1);
	CHECK_STR(err.msg, "no kernel function 'pp_no_such_kernel_fn'");
	probe_def__free(&def);
}

/* ------------------------------------------------------------ files */

TEST(probe_resolve_libraries)
{
	struct err err = { 0 };
	char want[PATH_MAX], *got;

	if (mapped_lib("libc.so", want, sizeof(want)))
		SKIP("libc is not mapped under a libc.so name");
	got = probe__resolve_file("libc", &err);
	CHECK_STR(got, want);
	free(got);
	got = probe__resolve_file("libc.so.6", &err);
	CHECK_STR(got, want);
	free(got);
	if (!mapped_lib("libelf", want, sizeof(want))) {
		got = probe__resolve_file("libelf", &err);
		CHECK_STR(got, want);
		free(got);
	}
	CHECK(probe__resolve_file("libnosuchlib_pp", &err) == NULL);
	CHECK_STR(err.msg, "no library 'libnosuchlib_pp' found");
	CHECK_INT(err.code, EXIT_USAGE);
}

TEST(probe_resolve_paths)
{
	struct err err = { 0 };
	char want[PATH_MAX], *got, *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	CHECK(probe__resolve_file("/nonexistent/x", &err) == NULL);
	CHECK_STR(err.msg, "cannot find '/nonexistent/x': No such file or directory");
	CHECK(probe__resolve_file("/etc/passwd", &err) == NULL);
	CHECK_STR(err.msg, "'/etc/passwd' is not an ELF file of this machine");
	CHECK(realpath("/usr/bin/env", want) != NULL);
	setenv("PATH", "/nonexistent:/usr/bin", 1);
	got = probe__resolve_file("env", &err);
	CHECK_STR(got, want);
	free(got);
	CHECK(probe__resolve_file("pp-no-such-program", &err) == NULL);
	CHECK_STR(err.msg, "no file or program 'pp-no-such-program' found");
	if (old)
		setenv("PATH", old, 1);
	free(old);
}

/* ------------------------------------------------------------ ELF */

TEST(probe_elf_libc)
{
	struct err err = { 0 };
	char want_file[PATH_MAX], file[PATH_MAX], *libc;
	unsigned long long want;
	u64 off = 0;
	void *fn = dlsym(RTLD_DEFAULT, "getppid");

	if (!fn || map_offset(fn, &want, file, sizeof(file)) || mapped_lib("libc.so", want_file,
									    sizeof(want_file)))
		SKIP("cannot locate getppid in the mapped libc");
	libc = probe__resolve_file("libc", &err);
	CHECK_STR(libc, want_file);
	if (!libc)
		return;
	CHECK_INT(probe__elf_offset(libc, "getppid", 0, NULL, &off, &err), 0);
	CHECK_U64(off, want);
	/* memcpy@@GLIBC_2.14 (default, IFUNC) beats memcpy@GLIBC_2.2.5 (plain) */
	CHECK_INT(probe__elf_offset(libc, "memcpy", 0, "/nonexistent", &off, &err), -1);
	CHECK_CONTAINS(err.msg, "'memcpy' in '");
	CHECK_CONTAINS(err.msg, "' is an indirect function (IFUNC)");
	free(libc);
}

TEST(probe_elf_self)
{
	struct err err = { 0 };
	u64 off = 0, insn_off = 0;

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	CHECK_INT(probe__elf_offset(self_path, "pp_unit_target", 0, NULL, &off, &err), 0);
	CHECK_U64(off, target_off);
	CHECK_INT(probe__elf_offset(self_path, "pp_unit_local", 0, NULL, &off, &err), 0);
	CHECK_U64(off, local_off);
	CHECK_INT(probe__elf_offset(self_path, "pp_unit_insn", 0, NULL, &off, &err), 0);
	insn_off = off;
	CHECK_INT(probe__elf_offset(self_path, "pp_unit_insn", 9, NULL, &off, &err), 0);
	CHECK_U64(off, insn_off + 9);
	/* the bytes decoded are the file's: they are the function's bytes in memory */
	CHECK(insn_off && !memcmp((const void *)pp_unit_insn, insn_bytes, sizeof(insn_bytes)));
	CHECK_INT(probe__elf_offset(self_path, "pp_unit_insn", 2, NULL, &off, &err), -ERANGE);
	CHECK_INT(probe__elf_offset(self_path, "pp_unit_insn", 11, NULL, &off, &err), -ERANGE);
}

/* a FIFO (or device) is never opened as an ELF: it would block or be read */
TEST(probe_elf_not_regular)
{
	char dir[] = "/tmp/pp-probe-fifo.XXXXXX", fifo[64];
	struct err err = { 0 };
	u64 off = 0;

	if (!mkdtemp(dir))
		SKIP("cannot create a temporary directory");
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	if (mkfifo(fifo, 0600)) {
		rmdir(dir);
		SKIP("cannot create a FIFO");
	}
	CHECK_INT(probe__elf_offset(fifo, "main", 0, "/nonexistent", &off, &err), -1);
	CHECK_CONTAINS(err.msg, "cannot read ELF file '");
	CHECK_INT(err.code, EXIT_USAGE);
	CHECK(probe__resolve_file(fifo, &err) == NULL);
	CHECK_CONTAINS(err.msg, "is not an ELF file of this machine");
	unlink(fifo);
	rmdir(dir);
}

/* build_id_path - DIR/.build-id/xx/rest.debug for @bin, from readelf -n */
static int build_id_path(const char *bin, const char *dir, char *out, size_t size)
{
	char cmd[PATH_MAX + 128], id[128] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf -n '%s' | sed -n 's/.*Build ID: //p'", bin);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(id, sizeof(id), p))
		id[0] = '\0';
	pclose(p);
	id[strcspn(id, "\n")] = '\0';
	if (strlen(id) < 4)
		return -1;
	if ((size_t)snprintf(out, size, "%s/.build-id/%.2s/%s.debug", dir, id, id + 2) >= size)
		return -1;
	return 0;
}

TEST(probe_elf_debuginfo)
{
	char dir[] = "/tmp/pp-probe-test.XXXXXX", bin[64], dbgdir[64], byid[PATH_MAX],
	     want[PATH_MAX + 64], *cmd = NULL;
	struct err err = { 0 };
	u64 off = 0;

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	if (run("command -v objcopy >/dev/null && command -v strip >/dev/null && "
		"command -v readelf >/dev/null"))
		SKIP("objcopy, strip or readelf (binutils) is missing");
	if (!mkdtemp(dir))
		SKIP("cannot create a temporary directory");
	snprintf(bin, sizeof(bin), "%s/bin", dir);
	snprintf(dbgdir, sizeof(dbgdir), "%s/dbg", dir);
	cmd = xasprintf("cp '%s' %s && objcopy --only-keep-debug %s %s.debug && "
			"strip --strip-all %s && objcopy --add-gnu-debuglink=%s.debug %s",
			self_path, bin, bin, bin, bin, bin, bin);
	if (run(cmd)) {
		TEST_FAIL("could not make a stripped copy: %s", cmd);
		goto out;
	}
	/* the exported function is still in .dynsym; the local one needs the debuginfo */
	CHECK_INT(probe__elf_offset(bin, "pp_unit_target", 0, dbgdir, &off, &err), 0);
	CHECK_U64(off, target_off);
	off = 0;
	CHECK_INT(probe__elf_offset(bin, "pp_unit_local", 0, dbgdir, &off, &err), 0);
	CHECK_U64(off, local_off);

	/* the same debuginfo by build-id only */
	if (build_id_path(bin, dbgdir, byid, sizeof(byid))) {
		TEST_FAIL("no build-id in the test binary");
		goto out;
	}
	free(cmd);
	cmd = xasprintf("mkdir -p \"$(dirname %s)\" && mv %s.debug %s", byid, bin, byid);
	CHECK_INT(run(cmd), 0);
	off = 0;
	CHECK_INT(probe__elf_offset(bin, "pp_unit_local", 0, dbgdir, &off, &err), 0);
	CHECK_U64(off, local_off);

	/* no debuginfo at all: the error says why */
	CHECK_INT(probe__elf_offset(bin, "pp_unit_local", 0, "/nonexistent", &off, &err), -1);
	snprintf(want, sizeof(want), "no function 'pp_unit_local' in '%s'", bin);
	CHECK_STR(err.msg, want);
	CHECK_CONTAINS(err.hint, "the file is stripped and no debuginfo was found");
out:
	free(cmd);
	cmd = xasprintf("rm -rf %s", dir);
	run(cmd);
	free(cmd);
}

/* ------------------------------------------------------------ registry */

static char fake_root[] = "/tmp/pp-probe-tracefs.XXXXXX";
static bool fake_ready;
static char fake_run[PATH_MAX];

static void fake_remove(void)
{
	char *cmd = xasprintf("rm -rf %s", fake_root);

	run(cmd);
	free(cmd);
}

/* fake_init - one fake tracefs for the whole run: tracefs__root() keeps the first */
static int fake_init(void)
{
	if (fake_ready)
		return 0;
	if (!mkdtemp(fake_root))
		return -1;
	atexit(fake_remove);
	setenv("PERF_PROF_TRACEFS", fake_root, 1);
	/* lock files of the registries go here too, not in /run/perf-prof */
	snprintf(fake_run, sizeof(fake_run), "%s/run", fake_root);
	setenv("PERF_PROF_RUNDIR", fake_run, 1);
	fake_ready = true;
	return 0;
}

static void fake_write(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake_root, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *fake_read(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fake_root, name);
	return read_file(path, NULL);
}

static bool fake_exists(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fake_root, name);
	return !access(path, F_OK);
}

/*
 * holder_start - a child that holds the flock on run/pp_<its pid>.lock
 * under another process name, until holder_stop(); its pid
 */
static pid_t holder_start(int *release)
{
	int ready[2], go[2];
	pid_t pid;
	char ch;

	if (pipe(ready) || pipe(go))
		return -1;
	pid = fork();
	if (!pid) {
		char path[PATH_MAX + 32];
		int fd;

		close(ready[0]);
		close(go[1]);
		prctl(PR_SET_NAME, "not-perf-prof");
		mkdir(fake_run, 0755);
		snprintf(path, sizeof(path), "%s/pp_%d.lock", fake_run, (int)getpid());
		fd = open(path, O_RDWR | O_CREAT, 0644);
		if (fd < 0 || flock(fd, LOCK_EX))
			_exit(1);
		(void)!write(ready[1], "r", 1);
		(void)!read(go[0], &ch, 1);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	*release = go[1];
	if (read(ready[0], &ch, 1) != 1)
		pid = -1;
	close(ready[0]);
	return pid;
}

static void holder_stop(pid_t pid, int release)
{
	close(release);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* dead_pid - the pid of a process that has ended (and been reaped) */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void fake_lock_file(pid_t pid)
{
	char name[64];

	mkdir(fake_run, 0755);
	snprintf(name, sizeof(name), "run/pp_%d.lock", (int)pid);
	fake_write(name, "");
}

/*
 * Liveness is the lock: a group whose lock a process holds stays (whatever
 * that process is called), a group whose lock file nobody holds goes (even
 * when its pid runs: pid reuse), a group without a lock file goes only when
 * its pid is gone; in our own group what we did not make goes.
 */
TEST(probe_registry_fake_tracefs)
{
	char text[PATH_MAX + 128], want[4 * PATH_MAX], group[32], name[64], *got;
	struct evspec *a = NULL, *b = NULL, *c = NULL, *d = NULL, *k = NULL;
	struct probes *reg = NULL;
	struct err err = { 0 };
	pid_t live, dead = dead_pid(), parent = getppid();
	int release = -1;
	FILE *note;
	char notebuf[2048] = "";

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	if (fake_init())
		SKIP("cannot create a temporary directory");
	snprintf(group, sizeof(group), "pp_%d", (int)getpid());
	live = holder_start(&release);
	if (live < 0)
		SKIP("cannot start the lock holder");
	fake_lock_file(1);		/* pid 1 runs, but nobody holds its lock: reused */
	fake_lock_file(getpid());	/* a dead run of our pid left it */
	fake_lock_file(dead);		/* a run that died before making a probe */
	snprintf(text, sizeof(text),
		 "p:pp_4194305/malloc /lib/x/libc.so.6:0x98930 size=%%di:u64\n"
		 "r:pp_4194305/malloc__return /lib/x/libc.so.6:0x98930\n"
		 "p:pp_%d/f /bin/x:0x10\n"
		 "p:pp_%d/g /bin/x:0x20\n"
		 "p:pp_1/h /bin/x:0x30\n"
		 "p:pp_%d/k /bin/x:0x40\n"
		 "p:pp_%d_2/m /bin/x:0x50\n"
		 "p:probe_libc/malloc /lib/x/libc.so.6:0x98930\n"
		 "p:kprobes/vfs_read vfs_read fd=%%di:s32\n"
		 "s:synthetic/wakeup_lat pid_t pid; u64 lat\n",
		 (int)live, (int)getpid(), (int)parent, (int)getpid());
	fake_write("dynamic_events", text);
	fake_write("uprobe_events", "");

	note = fmemopen(notebuf, sizeof(notebuf), "w");
	CHECK_INT(probe__list(note, "*malloc*", &err), 3);
	fclose(note);
	CHECK_STR(notebuf, "pp_4194305:malloc uprobe /lib/x/libc.so.6:0x98930 size=%di:u64\n"
			   "pp_4194305:malloc__return uretprobe /lib/x/libc.so.6:0x98930\n"
			   "probe_libc:malloc uprobe /lib/x/libc.so.6:0x98930\n");
	note = fmemopen(notebuf, sizeof(notebuf), "w");
	CHECK_INT(probe__list(note, "[ks]*", &err), 2);
	fclose(note);
	CHECK_STR(notebuf, "kprobes:vfs_read kprobe vfs_read fd=%di:s32\n"
			   "synthetic:wakeup_lat synthetic pid_t pid; u64 lat\n");

	snprintf(text, sizeof(text), "uprobe:pp_unit_target@\"%s\"(a=arg1)/a>1/", self_path);
	a = parse_one(text);
	snprintf(text, sizeof(text), "uprobe:pp_unit_target@\"%s\"(a=arg1)//alias=A/", self_path);
	b = parse_one(text);
	snprintf(text, sizeof(text), "uprobe:pp_unit_target@\"%s\"(a=arg2)", self_path);
	c = parse_one(text);
	snprintf(text, sizeof(text), "uretprobe:pp_unit_target@\"%s\"", self_path);
	d = parse_one(text);
	k = parse_one("kprobe:vfs_read(fd=arg1)");
	reg = probes__new(stderr, &err);
	if (!a || !b || !c || !d || !k || !reg)
		goto out;
	CHECK_STR(probes__group(reg), "");
	CHECK_INT(probes__create(reg, a, &err), 0);
	CHECK_STR(probes__group(reg), group);
	CHECK_STR(a->sys, group);
	CHECK_STR(a->name, "pp_unit_target");
	CHECK_STR(a->display, "uprobe:pp_unit_target");
	got = fake_read("dynamic_events");
	snprintf(text, sizeof(text),
		 "p:pp_4194305/malloc /lib/x/libc.so.6:0x98930 size=%%di:u64\n"
		 "r:pp_4194305/malloc__return /lib/x/libc.so.6:0x98930\n"
		 "p:pp_%d/f /bin/x:0x10\n"
		 "p:pp_%d/g /bin/x:0x20\n"
		 "p:pp_1/h /bin/x:0x30\n"
		 "p:pp_%d/k /bin/x:0x40\n"
		 "p:pp_%d_2/m /bin/x:0x50\n"
		 "p:probe_libc/malloc /lib/x/libc.so.6:0x98930\n"
		 "p:kprobes/vfs_read vfs_read fd=%%di:s32\n"
		 "s:synthetic/wakeup_lat pid_t pid; u64 lat\n"
		 "-:pp_4194305/malloc-:pp_4194305/malloc__return-:%s/g-:pp_1/h-:%s_2/m",
		 (int)live, (int)getpid(), (int)parent, (int)getpid(), group, group);
	CHECK_STR(got, text);
	free(got);
	/* the lock files of the gone runs went with their groups; the living stay */
	snprintf(name, sizeof(name), "run/pp_%d.lock", (int)live);
	CHECK(fake_exists(name));
	CHECK(!fake_exists("run/pp_1.lock"));
	snprintf(name, sizeof(name), "run/pp_%d.lock", (int)dead);
	CHECK(!fake_exists(name));
	snprintf(name, sizeof(name), "run/%s.lock", group);
	CHECK(fake_exists(name));

	/* the same definition shares the event; others get their own names */
	CHECK_INT(probes__create(reg, b, &err), 0);
	CHECK_STR(b->name, "pp_unit_target");
	CHECK(b->display == NULL);	/* an alias: the session names it */
	CHECK_INT(probes__create(reg, c, &err), 0);
	CHECK_STR(c->name, "pp_unit_target_1");
	CHECK_INT(probes__create(reg, d, &err), 0);
	CHECK_STR(d->name, "pp_unit_target__return");
	CHECK_STR(d->display, "uretprobe:pp_unit_target");
	got = fake_read("uprobe_events");
	snprintf(want, sizeof(want),
		 "p:%s/pp_unit_target %s:%#llx a=%%di:u64"
		 "p:%s/pp_unit_target_1 %s:%#llx a=%%si:u64"
		 "r:%s/pp_unit_target__return %s:%#llx",
		 group, self_path, target_off, group, self_path, target_off, group, self_path,
		 target_off);
	CHECK_STR(got, want);
	free(got);

	/* no kprobe_events in this "kernel" */
	CHECK_INT(probes__create(reg, k, &err), -1);
	CHECK_STR(err.msg, "kprobes are not available in this kernel: 'kprobe:vfs_read'");
	snprintf(want, sizeof(want), "the kernel needs CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y "
		 "(%s/kprobe_events is missing); use a tracepoint ('perf-prof list') instead",
		 fake_root);
	CHECK_STR(err.hint, want);
	CHECK_INT(err.code, EXIT_FAIL);
	CHECK_STR(k->sys, "kprobe");

	/* delete: newest first, once; the lock file goes */
	fake_write("uprobe_events", "");
	CHECK_INT(probes__cleanup(reg), 0);
	CHECK_INT(probes__delete(reg), 0);
	reg = NULL;
	got = fake_read("uprobe_events");
	snprintf(want, sizeof(want), "-:%s/pp_unit_target__return-:%s/pp_unit_target_1"
		 "-:%s/pp_unit_target", group, group, group);
	CHECK_STR(got, want);
	free(got);
	snprintf(name, sizeof(name), "run/%s.lock", group);
	CHECK(!fake_exists(name));
out:
	probes__delete(reg);
	holder_stop(live, release);
	evspec_free(a);
	evspec_free(b);
	evspec_free(c);
	evspec_free(d);
	evspec_free(k);
}

/* a reaper that finds the holder gone takes the group: the lock is the truth */
TEST(probe_registry_holder_dies)
{
	char text[256], want[512], *got;
	int release = -1;
	pid_t live;

	if (fake_init())
		SKIP("cannot create a temporary directory");
	live = holder_start(&release);
	if (live < 0)
		SKIP("cannot start the lock holder");
	snprintf(text, sizeof(text), "p:pp_%d/f /bin/x:0x10\n", (int)live);
	fake_write("dynamic_events", text);
	CHECK_INT(probe__reap_stale(NULL, NULL), 0);
	got = fake_read("dynamic_events");
	CHECK_STR(got, text);
	free(got);
	holder_stop(live, release);	/* its pid is gone, and its lock with it */
	CHECK_INT(probe__reap_stale(NULL, NULL), 1);
	got = fake_read("dynamic_events");
	snprintf(want, sizeof(want), "%s-:pp_%d/f", text, (int)live);
	CHECK_STR(got, want);
	free(got);
}

/*
 * delete_check - delete *@r (NULL: run the process-wide cleanup instead)
 * and check that exactly @group's probe was removed
 */
static void delete_check(struct probes **r, const char *group)
{
	char want[128], *got;

	fake_write("uprobe_events", "");
	if (r) {
		CHECK_INT(probes__delete(*r), 0);
		*r = NULL;
	} else {
		CHECK_INT(probes__cleanup_all(), 0);
	}
	got = fake_read("uprobe_events");
	snprintf(want, sizeof(want), "-:%s/pp_unit_target", group);
	CHECK_STR(got, want);
	free(got);
}

/*
 * Two registries in one process: their own groups, the second's reap keeps
 * the first's probes, each delete removes exactly its own, in any order.
 */
TEST(probe_registry_two)
{
	char text[PATH_MAX + 128], g1[32], g2[32], *got;
	struct probes *r1 = NULL, *r2 = NULL, *r3 = NULL;
	struct evspec *e1 = NULL, *e2 = NULL, *e3 = NULL;
	struct err err = { 0 };

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	if (fake_init())
		SKIP("cannot create a temporary directory");
	snprintf(g1, sizeof(g1), "pp_%d", (int)getpid());
	snprintf(g2, sizeof(g2), "pp_%d_1", (int)getpid());
	snprintf(text, sizeof(text), "uprobe:pp_unit_target@\"%s\"(a=arg1)", self_path);
	e1 = parse_one(text);
	e2 = parse_one(text);
	e3 = parse_one(text);
	r1 = probes__new(stderr, &err);
	r2 = probes__new(stderr, &err);
	if (!e1 || !e2 || !e3 || !r1 || !r2)
		goto out;
	fake_write("dynamic_events", "");
	fake_write("uprobe_events", "");
	CHECK_INT(probes__create(r1, e1, &err), 0);
	CHECK_STR(e1->sys, g1);
	/* what r1 made is in tracefs when r2 reaps: r1 holds its lock */
	snprintf(text, sizeof(text), "p:%s/pp_unit_target %s:%#llx a=%%di:u64\n", g1, self_path,
		 target_off);
	fake_write("dynamic_events", text);
	CHECK_INT(probes__create(r2, e2, &err), 0);
	CHECK_STR(e2->sys, g2);
	CHECK_STR(e2->name, "pp_unit_target");	/* the same definition, its own group */
	got = fake_read("dynamic_events");
	CHECK_STR(got, text);
	free(got);

	/* r1 first: only its probe goes */
	delete_check(&r1, g1);
	/* a new registry now takes the free name pp_<pid> again */
	r3 = probes__new(stderr, &err);
	CHECK_INT(r3 ? probes__create(r3, e3, &err) : -1, 0);
	CHECK_STR(e3->sys, g1);
	/* r2 removes its own, not r3's */
	delete_check(&r2, g2);
	/* the signal-time cleanup of the process covers what is left: r3 */
	delete_check(NULL, g1);
out:
	probes__delete(r1);
	probes__delete(r2);
	probes__delete(r3);
	evspec_free(e1);
	evspec_free(e2);
	evspec_free(e3);
}

/*
 * A run stopped by a signal whose default action ends the process: every
 * registry's probes are removed, then the process dies of that signal.
 */
static void signal_case(int sig)
{
	char text[PATH_MAX + 128], *want, *got;
	struct sigaction old;
	int status = 0;
	pid_t child;

	if (self_init())
		SKIP("cannot locate this binary's code in /proc/self/maps");
	if (fake_init())
		SKIP("cannot create a temporary directory");
	fake_write("dynamic_events", "");
	fake_write("uprobe_events", "");
	snprintf(text, sizeof(text), "uprobe:pp_unit_target@\"%s\"", self_path);
	child = fork();
	if (!child) {
		struct rlimit no_core = { 0, 0 };
		struct evspec *e1 = parse_one(text), *e2 = parse_one(text);
		struct probes *r1 = probes__new(NULL, NULL), *r2 = probes__new(NULL, NULL);
		struct err err = { 0 };

		struct sigaction pwr;

		setrlimit(RLIMIT_CORE, &no_core);
		if (!e1 || !e2 || !r1 || !r2 || probes__create(r1, e1, &err) ||
		    probes__create(r2, e2, &err))
			_exit(3);
		/* hooked where the disposition was the default: SIGPWR is, always */
		if (sigaction(sig, NULL, &old) || sigaction(SIGPWR, NULL, &pwr) ||
		    old.sa_handler != pwr.sa_handler)
			_exit(5);
		raise(sig);
		_exit(4);
	}
	CHECK(waitpid(child, &status, 0) == child);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
		SKIP("someone else handles this signal here (a sanitizer): not ours to hook");
	CHECK_INT(WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status), sig);
	got = fake_read("uprobe_events");
	want = xasprintf("p:pp_%d/pp_unit_target %s:%#llx"
			 "p:pp_%d_1/pp_unit_target %s:%#llx"
			 "-:pp_%d/pp_unit_target-:pp_%d_1/pp_unit_target",
			 (int)child, self_path, target_off, (int)child, self_path, target_off,
			 (int)child, (int)child);
	CHECK_STR(got, want);
	free(got);
	free(want);
}

TEST(probe_signal_term) { signal_case(SIGTERM); }
TEST(probe_signal_quit) { signal_case(SIGQUIT); }
TEST(probe_signal_usr1) { signal_case(SIGUSR1); }
TEST(probe_signal_usr2) { signal_case(SIGUSR2); }
TEST(probe_signal_alrm) { signal_case(SIGALRM); }
TEST(probe_signal_abrt) { signal_case(SIGABRT); }
TEST(probe_signal_segv) { signal_case(SIGSEGV); }
TEST(probe_signal_bus) { signal_case(SIGBUS); }
TEST(probe_signal_rtmin) { signal_case(SIGRTMIN); }
