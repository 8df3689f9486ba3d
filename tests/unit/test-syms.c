// SPDX-License-Identifier: GPL-2.0
/*
 * test-syms.c - user-space symbolization and DWARF unwinding against
 * ground truth that does not come from the code under test: test ELFs are
 * compiled here from the tests/workload sources, symbol addresses come from
 * binutils (nm, objdump, readelf), source lines from MARK: comments in the
 * sources, and the unwinding test captures this process's own registers
 * and stack at a known call depth.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elfutil.h"
#include "harness.h"
#include "ksyms.h"
#include "syms.h"
#include "unwind.h"

/* a real frame with its own name: no inlining, cloning or IPA changes */
#ifdef __clang__
#define NOIPA __attribute__((noinline))
#else
#define NOIPA __attribute__((noipa))
#endif
#define KEEP(x) __asm__ volatile("" : "+r"(x) : : "memory")

/* Pids that cannot exist (above PID_MAX_LIMIT), for synthetic processes. */
#define FAKE_PID 0x7ff00000
/* Where synthetic processes map a PIE's text (file offset == vaddr) */
#define BASE 0x555555554000ULL

static char tdir[] = "/tmp/perf-prof-syms.XXXXXX";
static int built;		/* 0 = not tried, 1 = ok, -1 = failed */
static char cc_src[512], il_src[512];
static char cc_file[512], il_file[512];	/* as DWARF names them */

/* --- helpers ------------------------------------------------------------- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static const char *tpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tdir, name);
	return buf;
}

/* First line of `cmd`'s output matching @key, via popen. */
static bool run_find(const char *cmd, const char *key, char *line, size_t len)
{
	FILE *p = popen(cmd, "r");
	bool found = false;

	if (!p)
		return false;
	while (!found && fgets(line, (int)len, p))
		found = strstr(line, key) != NULL;
	pclose(p);
	return found;
}

/* Address of @sym in @file according to nm. */
static u64 nm_addr(const char *file, const char *sym)
{
	char cmd[1024], line[512], key[256];

	snprintf(cmd, sizeof(cmd), "nm -a %s 2>/dev/null", file);
	snprintf(key, sizeof(key), " %s\n", sym);
	if (!run_find(cmd, key, line, sizeof(line)))
		return 0;
	return strtoull(line, NULL, 16);
}

/* Line of @addr in @file according to addr2line. */
static int a2l_line(const char *file, u64 addr)
{
	char cmd[1024], line[512], *colon;

	snprintf(cmd, sizeof(cmd), "addr2line -e %s %llx", file, (unsigned long long)addr);
	if (!run_find(cmd, ":", line, sizeof(line)))
		return -1;
	colon = strrchr(line, ':');
	return atoi(colon + 1);
}

/* Line number of the "MARK:@tag " comment in @src. */
static int mark_line(const char *src, const char *tag)
{
	char key[64], line[512];
	FILE *f = fopen(src, "r");
	int n = 0, found = 0;

	if (!f)
		return 0;
	snprintf(key, sizeof(key), "MARK:%s ", tag);
	while (!found && fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, key))
			found = n;
	}
	fclose(f);
	return found;
}

/* tests/workload/@name from the repo root: the cwd, or above build/ of this binary */
static bool find_src(const char *name, char *out, size_t len)
{
	char exe[512], *b;
	ssize_t n;

	snprintf(out, len, "tests/workload/%s", name);
	if (!access(out, R_OK))
		return true;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	b = strstr(exe, "/build/");
	if (!b)
		return false;
	*b = '\0';
	if (snprintf(out, len, "%s/tests/workload/%s", exe, name) >= (int)len)
		return false;
	return !access(out, R_OK);
}

#define WL_CFLAGS "-std=gnu11 -g -Wall -Wextra -Werror -D_GNU_SOURCE"

static const char demangle_src[] =
	"void cxx(void) __asm__(\"_ZN3foo3barEi\");\n"
	"void cxx(void) { __asm__ volatile(\"\"); }\n"
	"void rust(void) __asm__(\"_ZN4core3fmt5write17h0123456789abcdefE\");\n"
	"void rust(void) { __asm__ volatile(\"\"); }\n"
	"void rust0(void) __asm__(\"_RNvCs1234_7mycrate3foo\");\n"
	"void rust0(void) { __asm__ volatile(\"\"); }\n"
	"int main(void) { cxx(); rust(); rust0(); return 0; }\n";

/*
 * Build every test ELF once:
 *   cc            callchain.c as the Makefile builds workloads
 *   s/callchain   cc with all symbols stripped + .gnu_debuglink to s/callchain.debug
 *   b/callchain   the same, but b/callchain.debug is another file (bad CRC)
 *   n/callchain   stripped, no debuglink: debuginfo only by build-id
 *   il            inline.c at -O2
 *   dm            mangled C++/Rust names
 */
static bool build(void)
{
	char p[600];
	FILE *f;

	if (built)
		return built > 0;
	built = -1;
	if (!find_src("callchain.c", cc_src, sizeof(cc_src)) ||
	    !find_src("inline.c", il_src, sizeof(il_src)) || !mkdtemp(tdir))
		return false;
	snprintf(cc_file, sizeof(cc_file), "%s", cc_src);
	snprintf(il_file, sizeof(il_file), "%s", il_src);
	if (sh("gcc " WL_CFLAGS " -O1 -fno-omit-frame-pointer -o %s/cc %s -lpthread", tdir,
	       cc_src) ||
	    sh("gcc " WL_CFLAGS " -O2 -o %s/il %s", tdir, il_src))
		return false;
	if (sh("cd %s && mkdir s b n debug && objcopy --only-keep-debug cc s/callchain.debug &&"
	       " objcopy --strip-all --add-gnu-debuglink=s/callchain.debug cc s/callchain &&"
	       " cp s/callchain b/callchain && objcopy --only-keep-debug il b/callchain.debug &&"
	       " objcopy --strip-all cc n/callchain", tdir))
		return false;
	f = fopen(tpath(p, sizeof(p), "dm.c"), "w");
	if (!f)
		return false;
	fputs(demangle_src, f);
	fclose(f);
	if (sh("cd %s && gcc -O1 -g -o dm dm.c", tdir))
		return false;
	built = 1;
	return true;
}

#define NEED_BUILD()                                                           \
	do {                                                                   \
		if (!build())                                                  \
			SKIP("cannot build test ELFs (gcc/binutils/sources)"); \
	} while (0)

static int resolve_file(struct syms *s, const char *name, u64 addr, struct sym_frame *f)
{
	char p[600];
	struct err err = { 0 };

	return syms__resolve_file(s, tpath(p, sizeof(p), name), addr, f, &err);
}

/* --- symbols from files -------------------------------------------------- */

static void check_levels(struct syms *s, const char *name, bool lines)
{
	static const char *const fn[] = { "level1", "level2", "level3" };
	char p[600], mark[32];

	for (size_t i = 0; i < ARRAY_SIZE(fn); i++) {
		struct sym_frame f;
		u64 start, at;

		snprintf(mark, sizeof(mark), "%s_mark", fn[i]);
		start = nm_addr(tpath(p, sizeof(p), "cc"), fn[i]);
		at = nm_addr(tpath(p, sizeof(p), "cc"), mark);
		CHECK(start && at > start);
		CHECK_INT(resolve_file(s, name, at, &f), 0);
		CHECK_STR(f.name, fn[i]);
		CHECK_U64(f.off, at - start);
		if (lines) {
			CHECK_STR(f.file, cc_file);
			CHECK_INT(f.line, mark_line(cc_src, fn[i]));
		}
	}
}

TEST(file_symbols_and_lines)
{
	struct syms *s;
	struct sym_frame f;
	char p[600];
	u64 main_addr;

	NEED_BUILD();
	s = syms__new(SYMS_SRCLINE);
	check_levels(s, "cc", true);
	main_addr = nm_addr(tpath(p, sizeof(p), "cc"), "main");
	CHECK_INT(resolve_file(s, "cc", main_addr, &f), 0);
	CHECK_STR(f.name, "main");
	CHECK_U64(f.off, 0);
	CHECK_STR(f.dso, p);
	CHECK_INT(f.nr_inline, 0);
	syms__delete(s);

	/* without SYMS_SRCLINE no DWARF is read */
	s = syms__new(0);
	CHECK_INT(resolve_file(s, "cc", main_addr, &f), 0);
	CHECK_STR(f.name, "main");
	CHECK(f.file == NULL);
	CHECK_INT(f.line, 0);
	syms__delete(s);
}

TEST(file_unknown_and_errors)
{
	struct syms *s;
	struct sym_frame f;
	struct err err = { 0 };
	char p[600];

	NEED_BUILD();
	s = syms__new(SYMS_SRCLINE);
	CHECK_INT(resolve_file(s, "cc", 0, &f), -ENOENT);
	CHECK(f.name == NULL);
	CHECK_STR(sym_frame__name(&f), "[unknown]");
	CHECK_INT(resolve_file(s, "cc", 0x7fffffff, &f), -ENOENT);
	CHECK(f.name == NULL);
	CHECK_INT(syms__resolve_file(s, tpath(p, sizeof(p), "dm.c"), 0x10, &f, &err), -EBADF);
	CHECK_CONTAINS(err.msg, "as an ELF file");
	CHECK_INT(syms__resolve_file(s, tpath(p, sizeof(p), "missing"), 0x10, &f, &err), -EBADF);
	CHECK_CONTAINS(err.msg, "No such file");
	/* an unknown process: nothing mapped, nothing read from /proc */
	syms__delete(s);
	s = syms__new(SYMS_NO_PROC);
	CHECK_INT(syms__resolve(s, FAKE_PID, 0x401000, &f), -ENOENT);
	CHECK(f.name == NULL && f.dso == NULL);
	syms__delete(s);
}

TEST(plt_stub)
{
	char p[600], cmd[700], line[256];
	struct syms *s;
	struct sym_frame f;
	u64 plt;

	NEED_BUILD();
	snprintf(cmd, sizeof(cmd), "objdump -d %s", tpath(p, sizeof(p), "cc"));
	if (!run_find(cmd, "<syscall@plt>:", line, sizeof(line)))
		SKIP("objdump shows no syscall@plt");
	plt = strtoull(line, NULL, 16);
	s = syms__new(0);
	CHECK_INT(resolve_file(s, "cc", plt + 4, &f), 0);
	CHECK_STR(f.name, "syscall@plt");
	CHECK_U64(f.off, 4);
	syms__delete(s);
}

TEST(debuglink_stripped)
{
	char p[600];
	struct syms *s;

	NEED_BUILD();
	/* the stripped file really has no symbols of its own */
	CHECK_U64(nm_addr(tpath(p, sizeof(p), "s/callchain"), "level2"), 0);
	s = syms__new(SYMS_SRCLINE);
	check_levels(s, "s/callchain", true);
	syms__delete(s);
}

TEST(debuglink_bad_crc)
{
	char p[600];
	struct syms *s;
	struct sym_frame f;
	u64 at;

	NEED_BUILD();
	at = nm_addr(tpath(p, sizeof(p), "cc"), "level2_mark");
	s = syms__new(SYMS_SRCLINE);
	CHECK_INT(resolve_file(s, "b/callchain", at, &f), -ENOENT);
	CHECK(f.name == NULL);
	CHECK(f.file == NULL);
	syms__delete(s);
}

/* cc's build-id (from readelf) as hex; its debuginfo under tdir/debug/.build-id. */
static bool cc_build_id(char *hex, size_t len)
{
	char p[600], cmd[700], line[256], *id;

	snprintf(cmd, sizeof(cmd), "readelf -n %s", tpath(p, sizeof(p), "cc"));
	if (!run_find(cmd, "Build ID: ", line, sizeof(line)))
		return false;
	id = strstr(line, "Build ID: ") + 10;
	id[strcspn(id, " \n")] = '\0';
	snprintf(hex, len, "%s", id);
	return strlen(hex) > 2 && !sh("cd %s && mkdir -p debug/.build-id/%.2s && "
				      "cp s/callchain.debug debug/.build-id/%.2s/%s.debug",
				      tdir, hex, hex, hex + 2);
}

TEST(build_id_debug_dir)
{
	char p[600], hex[128];
	struct syms *s;

	NEED_BUILD();
	if (!cc_build_id(hex, sizeof(hex)))
		SKIP("the toolchain writes no build-id");
	s = syms__new(SYMS_SRCLINE);
	syms__set_debug_dir(s, tpath(p, sizeof(p), "debug/"));
	check_levels(s, "n/callchain", true);
	syms__delete(s);
}

/* The executable PT_LOAD of @file according to readelf. */
static bool text_segment(const char *file, u64 *off, u64 *vaddr, u64 *size)
{
	char cmd[700], line[512];
	unsigned long long o, v, p, fs;

	snprintf(cmd, sizeof(cmd), "readelf -lW %s", file);
	if (!run_find(cmd, " R E ", line, sizeof(line)) ||
	    sscanf(line, " LOAD %llx %llx %llx %llx", &o, &v, &p, &fs) != 4)
		return false;
	*off = o;
	*vaddr = v;
	*size = fs;
	return true;
}

/* MMAP2 records with PERF_RECORD_MISC_MMAP_BUILD_ID name the mapped build. */
TEST(build_id_in_mapping)
{
	char p[600], hex[128], dbg[600];
	struct syms_file_id id = { .build_id_size = 20 };
	struct syms *s;
	struct sym_frame f;
	u64 l2m, toff = 0, tvaddr = 0, tsize = 0, start, pgoff, len;

	NEED_BUILD();
	if (!cc_build_id(hex, sizeof(hex)) || strlen(hex) != 40)
		SKIP("the toolchain writes no 20-byte build-id");
	CHECK(text_segment(tpath(p, sizeof(p), "cc"), &toff, &tvaddr, &tsize));
	/* as the loader maps the text: whole pages, at the load bias BASE */
	start = BASE + (tvaddr & ~0xfffULL);
	pgoff = toff & ~0xfffULL;
	len = ((tvaddr + tsize + 0xfff) & ~0xfffULL) - (tvaddr & ~0xfffULL);
	for (int i = 0; i < 20; i++)
		sscanf(hex + 2 * i, "%2hhx", &id.build_id[i]);
	l2m = nm_addr(tpath(p, sizeof(p), "cc"), "level2_mark");
	tpath(dbg, sizeof(dbg), "debug");

	/* the right build-id: the file is used */
	s = syms__new(SYMS_NO_PROC);
	CHECK_INT(syms__mmap(s, FAKE_PID, BASE, 0x4000, 0, PROT_EXEC, &id, p), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l2m, &f), 0);
	CHECK_STR(f.name, "level2");
	syms__delete(s);

	/* the path now holds another build: only debuginfo by build-id is right */
	s = syms__new(SYMS_NO_PROC | SYMS_SRCLINE);
	syms__set_debug_dir(s, dbg);
	CHECK_INT(syms__mmap(s, FAKE_PID, start, len, pgoff, PROT_EXEC, &id,
			     tpath(p, sizeof(p), "il")), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l2m, &f), 0);
	CHECK_STR(f.name, "level2");
	CHECK_INT(f.line, mark_line(cc_src, "level2"));
	CHECK_STR(f.dso, p);
	syms__delete(s);

	/* another build and no debuginfo for it: unknown, never a wrong name */
	id.build_id[0] ^= 0xff;
	s = syms__new(SYMS_NO_PROC);
	syms__set_debug_dir(s, dbg);
	CHECK_INT(syms__mmap(s, FAKE_PID, BASE, 0x4000, 0, PROT_EXEC, &id,
			     tpath(p, sizeof(p), "cc")), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l2m, &f), -ENOENT);
	CHECK(f.name == NULL);
	CHECK_STR(f.dso, p);
	syms__delete(s);
}

TEST(inline_frames)
{
	char p[600];
	struct syms *s;
	struct sym_frame f;
	u64 outer, mark;

	NEED_BUILD();
	outer = nm_addr(tpath(p, sizeof(p), "il"), "outer");
	mark = nm_addr(p, "inner_mark");
	CHECK(outer && mark > outer);

	s = syms__new(SYMS_INLINE);
	CHECK_INT(resolve_file(s, "il", mark, &f), 0);
	CHECK_STR(f.name, "outer");
	CHECK_U64(f.off, mark - outer);
	CHECK_INT(f.nr_inline, 1);
	if (f.nr_inline == 1) {
		CHECK_STR(f.inlined[0].name, "inner");
		CHECK_STR(f.inlined[0].file, il_file);
		CHECK_INT(f.inlined[0].line, mark_line(il_src, "inner"));
	}
	CHECK_STR(f.file, il_file);
	CHECK_INT(f.line, mark_line(il_src, "outer-call"));
	syms__delete(s);

	/* lines only: the pc's own line, no inlined frames */
	s = syms__new(SYMS_SRCLINE);
	CHECK_INT(resolve_file(s, "il", mark, &f), 0);
	CHECK_STR(f.name, "outer");
	CHECK_INT(f.nr_inline, 0);
	CHECK_INT(f.line, mark_line(il_src, "inner"));
	syms__delete(s);
}

TEST(demangle)
{
	static const char *const sym[] = { "_ZN3foo3barEi",
					   "_ZN4core3fmt5write17h0123456789abcdefE",
					   "_RNvCs1234_7mycrate3foo" };
	static const char *const want[] = { "foo::bar(int)", "core::fmt::write", "mycrate::foo" };
	char p[600];
	struct syms *s, *raw;
	struct sym_frame f;

	NEED_BUILD();
	s = syms__new(0);
	raw = syms__new(SYMS_NO_DEMANGLE);
	for (size_t i = 0; i < ARRAY_SIZE(sym); i++) {
		u64 at = nm_addr(tpath(p, sizeof(p), "dm"), sym[i]);

		CHECK(at != 0);
		CHECK_INT(resolve_file(s, "dm", at, &f), 0);
		CHECK_STR(f.name, want[i]);
		CHECK_INT(resolve_file(raw, "dm", at, &f), 0);
		CHECK_STR(f.name, sym[i]);
	}
	syms__delete(raw);
	syms__delete(s);
}

/* --- processes ----------------------------------------------------------- */

TEST(process_lifecycle)
{
	char p[600];
	struct syms *s;
	struct sym_frame f;
	u64 l2, l3, l2m;

	NEED_BUILD();
	tpath(p, sizeof(p), "cc");
	l2 = nm_addr(p, "level2");
	l2m = nm_addr(p, "level2_mark");
	l3 = nm_addr(p, "level3");
	s = syms__new(SYMS_NO_PROC | SYMS_SRCLINE);
	/* a PIE's text segment maps file offset == vaddr */
	CHECK_INT(syms__mmap(s, FAKE_PID, BASE, 0x4000, 0, PROT_READ | PROT_EXEC, NULL, p), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l2m, &f), 0);
	CHECK_STR(f.name, "level2");
	CHECK_U64(f.off, l2m - l2);
	CHECK_STR(f.dso, p);
	CHECK_U64(f.dso_off, l2m);
	CHECK_INT(f.line, mark_line(cc_src, "level2"));

	/* the child of a fork starts with the parent's mappings */
	syms__fork(s, FAKE_PID, FAKE_PID + 1);
	CHECK_INT(syms__resolve(s, FAKE_PID + 1, BASE + l3, &f), 0);
	CHECK_STR(f.name, "level3");
	CHECK_U64(f.off, 0);

	/* exec drops them; the new image maps elsewhere */
	syms__exec(s, FAKE_PID + 1);
	CHECK_INT(syms__resolve(s, FAKE_PID + 1, BASE + l3, &f), -ENOENT);
	CHECK(f.dso == NULL);
	CHECK_INT(syms__mmap(s, FAKE_PID + 1, 0x400000, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID + 1, 0x400000 + l3 + 2, &f), 0);
	CHECK_STR(f.name, "level3");
	CHECK_U64(f.off, 2);

	/* the parent is unchanged, and still resolves after its exit */
	syms__exit(s, FAKE_PID);
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l2m, &f), 0);
	CHECK_STR(f.name, "level2");

	/* a non-executable mapping over part of the text removes that part */
	CHECK_INT(syms__mmap(s, FAKE_PID + 1, 0x400000 + (l2 & ~0xfffULL), 0x1000, 0,
			     PROT_READ, NULL, "//anon"), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID + 1, 0x400000 + l2m, &f), -ENOENT);
	CHECK(f.dso == NULL);

	/* a new thread changes nothing; a reused pid starts empty */
	syms__fork(s, FAKE_PID, FAKE_PID);
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l2m, &f), 0);
	syms__fork(s, FAKE_PID + 7, FAKE_PID);
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l2m, &f), -ENOENT);
	syms__delete(s);
}

/*
 * Records applied out of order, as when rings are read one CPU after another: a child's
 * exec and MMAPs (its CPU) before its FORK (the parent's), an exec's COMM after MMAPs of
 * the new image, an EXIT before the FORK. With the records' times nothing is undone.
 */
TEST(out_of_order_side_band)
{
	char p[600];
	struct syms *s;
	struct sym_frame f;
	u64 l2m, l3;

	NEED_BUILD();
	tpath(p, sizeof(p), "cc");
	l2m = nm_addr(p, "level2_mark");
	l3 = nm_addr(p, "level3");
	s = syms__new(SYMS_NO_PROC);
	syms__clock(s, 100);
	CHECK_INT(syms__mmap(s, FAKE_PID, BASE, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	/* the child (forked at 200) exec'ed at 300 and mapped its image at 310, read first */
	syms__clock(s, 300);
	syms__exec(s, FAKE_PID + 1);
	syms__clock(s, 310);
	CHECK_INT(syms__mmap(s, FAKE_PID + 1, 0x400000, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	syms__clock(s, 200);
	syms__fork(s, FAKE_PID, FAKE_PID + 1);
	CHECK_INT(syms__resolve(s, FAKE_PID + 1, 0x400000 + l3, &f), 0);
	CHECK_STR(f.name, "level3");
	CHECK_INT(syms__resolve(s, FAKE_PID + 1, BASE + l3, &f), -ENOENT);

	/* another child mapped its new image (410) before its exec's COMM (400) was read */
	syms__clock(s, 350);
	syms__fork(s, FAKE_PID, FAKE_PID + 2);
	syms__clock(s, 410);
	CHECK_INT(syms__mmap(s, FAKE_PID + 2, 0x400000, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	syms__clock(s, 400);
	syms__exec(s, FAKE_PID + 2);
	CHECK_INT(syms__resolve(s, FAKE_PID + 2, 0x400000 + l2m, &f), 0);
	CHECK_STR(f.name, "level2");
	/* ... and what it had from its parent (before the exec) is gone */
	CHECK_INT(syms__resolve(s, FAKE_PID + 2, BASE + l2m, &f), -ENOENT);

	/* a child whose exit (600) is read before its fork (500) stays dead and keeps its maps */
	syms__clock(s, 510);
	CHECK_INT(syms__mmap(s, FAKE_PID + 3, 0x400000, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	syms__clock(s, 600);
	syms__exit(s, FAKE_PID + 3);
	syms__clock(s, 500);
	syms__fork(s, FAKE_PID, FAKE_PID + 3);
	CHECK_INT(syms__resolve(s, FAKE_PID + 3, 0x400000 + l3, &f), 0);
	CHECK_STR(f.name, "level3");

	/* in order, a fork after an exit is a reused pid: the parent's mappings */
	syms__clock(s, 700);
	syms__fork(s, FAKE_PID, FAKE_PID + 3);
	CHECK_INT(syms__resolve(s, FAKE_PID + 3, 0x400000 + l3, &f), -ENOENT);
	CHECK_INT(syms__resolve(s, FAKE_PID + 3, BASE + l3, &f), 0);
	syms__delete(s);
}

TEST(replaced_dso_is_reread)
{
	char p[600], cc[600], il[600], tmp[640];
	struct syms *s;
	struct sym_frame f;
	struct stat st1, st2;
	u64 l2m, outer;

	NEED_BUILD();
	tpath(cc, sizeof(cc), "cc");
	tpath(il, sizeof(il), "il");
	l2m = nm_addr(cc, "level2_mark");
	outer = nm_addr(il, "outer");
	tpath(p, sizeof(p), "prog");
	snprintf(tmp, sizeof(tmp), "%s.new", p);
	CHECK_INT(sh("cp %s %s", cc, p), 0);
	s = syms__new(SYMS_NO_PROC);
	CHECK_INT(syms__mmap(s, FAKE_PID, BASE, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l2m, &f), 0);
	CHECK_STR(f.name, "level2");
	CHECK_INT(resolve_file(s, "prog", l2m, &f), 0);
	CHECK_STR(f.name, "level2");

	/* replaced by rename: a new inode */
	CHECK_INT(sh("cp %s %s && mv %s %s", il, tmp, tmp, p), 0);
	CHECK_INT(syms__mmap(s, FAKE_PID + 1, BASE, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID + 1, BASE + outer, &f), 0);
	CHECK_STR(f.name, "outer");
	CHECK_INT(resolve_file(s, "prog", outer, &f), 0);
	CHECK_STR(f.name, "outer");
	/* the first process still sees the file it mapped */
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l2m + 1, &f), 0);
	CHECK_STR(f.name, "level2");

	/* rewritten in place: same inode, other size and mtime */
	CHECK_INT(stat(p, &st1), 0);
	CHECK_INT(sh("cat %s > %s", cc, p), 0);
	CHECK_INT(stat(p, &st2), 0);
	CHECK(st1.st_ino == st2.st_ino);
	CHECK_INT(syms__mmap(s, FAKE_PID + 2, BASE, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID + 2, BASE + l2m, &f), 0);
	CHECK_STR(f.name, "level2");
	syms__delete(s);
}

/* Start @path (a callchain build) sleeping; returns its pid once it runs. */
static pid_t start_sleeper(const char *path)
{
	char line[128];
	int fd[2];
	pid_t pid;
	FILE *f;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(fd[1], 1);
		close(fd[0]);
		execl(path, path, "1", "5000", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (!f || !fgets(line, sizeof(line), f) || strncmp(line, "callchain ", 10)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	if (f)
		fclose(f);
	return pid;
}

/*
 * A running program whose file was replaced (or deleted) since it was
 * mapped still resolves: /proc/PID/map_files reaches the mapped inode.
 */
TEST(running_binary_replaced)
{
	char cc[600], il[600], p[600], tmp[640];
	u64 l2, l2m;
	pid_t a, b;

	NEED_BUILD();
	tpath(cc, sizeof(cc), "cc");
	tpath(il, sizeof(il), "il");
	l2 = nm_addr(cc, "level2");
	l2m = nm_addr(cc, "level2_mark");
	tpath(p, sizeof(p), "run-a");
	snprintf(tmp, sizeof(tmp), "%s.new", p);
	CHECK_INT(sh("cp %s %s && cp %s %s/run-b", cc, p, cc, tdir), 0);
	a = start_sleeper(p);
	b = start_sleeper(tpath(tmp, sizeof(tmp), "run-b"));
	if (a < 0 || b < 0)
		SKIP("cannot start the workload");
	CHECK_INT(sh("cp %s %s/run-a.new && mv %s/run-a.new %s", il, tdir, tdir, p), 0);
	CHECK_INT(unlink(tmp), 0);

	for (int i = 0; i < 2; i++) {
		pid_t pid = i ? b : a;
		struct syms *s = syms__new(SYMS_SRCLINE);
		struct sym_frame f;
		u64 start, end, off;
		char maps[64], line[600];
		FILE *m;
		bool found = false;

		/* where the text of the program is mapped */
		snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
		m = fopen(maps, "r");
		while (m && !found && fgets(line, sizeof(line), m)) {
			unsigned long long x = 0, y = 0, o = 0;
			char perms[8];

			found = strstr(line, "/run-") && sscanf(line, "%llx-%llx %7s %llx", &x, &y,
								perms, &o) == 4 && perms[2] == 'x';
			start = x, end = y, off = o;
		}
		if (m)
			fclose(m);
		CHECK(found);
		if (found && l2m >= off && l2m < off + (end - start)) {
			CHECK_INT(syms__resolve(s, pid, start + l2m - off, &f), 0);
			CHECK_STR(f.name, "level2");
			CHECK_U64(f.off, l2m - l2);
			CHECK_INT(f.line, mark_line(cc_src, "level2"));
		}
		syms__delete(s);
	}
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
}

static NOIPA int self_marker(int x)
{
	KEEP(x);
	return x * 3;
}

TEST(own_process_maps)
{
	struct syms *s = syms__new(SYMS_SRCLINE);
	struct sym_frame f;
	u64 fn = (u64)(uintptr_t)&self_marker;

	CHECK_INT(self_marker(1), 3);
	CHECK_INT(syms__proc_maps(s, getpid()), 0);
	CHECK_INT(syms__resolve(s, getpid(), fn + 1, &f), 0);
	CHECK_STR(f.name, "self_marker");
	CHECK_U64(f.off, 1);
	CHECK(f.dso && f.dso[0] == '/');
	CHECK_INT(syms__resolve(s, getpid(), (u64)(uintptr_t)&getppid, &f), 0);
	CHECK_STR(f.name, "getppid");
	CHECK_U64(f.off, 0);
	CHECK_CONTAINS(f.dso, "libc.so");
	CHECK_INT(syms__proc_maps(s, FAKE_PID), -ENOENT);
	syms__delete(s);
}

/* resident pages of the private, writable maps of @path (elf__open's, not ld.so's) */
static size_t image_resident_kb(const char *path)
{
	char line[600], file[520];
	FILE *f = fopen("/proc/self/maps", "r");
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t kb = 0;

	while (f && pm >= 0 && fgets(line, sizeof(line), f)) {
		unsigned long long a, b, off;
		char perm[8];

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %519s", &a, &b, perm, &off, file) != 5 ||
		    strcmp(perm, "rw-p") || off || strcmp(file, path))
			continue;
		for (unsigned long long at = a; at < b; at += 4096) {
			u64 e = 0;

			if (pread(pm, &e, sizeof(e), (off_t)(at / 4096 * 8)) == sizeof(e) && e >> 63)
				kb += 4;
		}
	}
	if (f)
		fclose(f);
	if (pm >= 0)
		close(pm);
	return kb;
}

/*
 * elf__drop_pages: the pages of an image that were only read leave the
 * resident set and read the same when touched again; a page written to
 * (libelf and libdw write to headers) keeps what was written
 */
TEST(elf_drop_pages)
{
	char exe[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t size = 0, before, after;
	unsigned long sum = 0, again = 0;
	Elf *elf;
	char *p;

	CHECK(n > 0);
	if (n <= 0)
		return;
	exe[n] = '\0';
	elf = elf__open(exe);
	CHECK(elf != NULL);
	if (!elf)
		return;
	p = elf_rawfile(elf, &size);
	for (size_t i = 0; i < size; i += 512)
		sum += (unsigned char)p[i];
	p[size - 1] ^= 0x5a;
	before = image_resident_kb(exe);
	elf__drop_pages(elf);
	after = image_resident_kb(exe);
	fprintf(stderr, "# %s: %zu KB, %zu KB resident before, %zu KB after\n", exe, size / 1024,
		before, after);
	CHECK(before >= size / 1024 * 9 / 10);
	CHECK(after <= 8);
	for (size_t i = 0; i < size; i += 512)
		again += (unsigned char)p[i];
	CHECK_U64(again, sum);
	p[size - 1] ^= 0x5a;
	CHECK(image_resident_kb(exe) >= before);
	elf__close(elf);
}

static bool own_mapping(const char *name, u64 *start, u64 *end)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long a, b;

		if (strstr(line, name) && sscanf(line, "%llx-%llx", &a, &b) == 2) {
			*start = a;
			*end = b;
			found = true;
		}
	}
	fclose(f);
	return found;
}

TEST(vdso)
{
	char p[600], cmd[700], line[256];
	u64 start, end, at;
	struct syms *s;
	struct sym_frame f;
	FILE *out;

	NEED_BUILD();
	if (!own_mapping("[vdso]", &start, &end))
		SKIP("no [vdso] mapping");
	out = fopen(tpath(p, sizeof(p), "vdso.so"), "w");
	CHECK(out && fwrite((void *)(uintptr_t)start, 1, end - start, out) == end - start);
	fclose(out);
	/* names may carry a version: "__vdso_clock_gettime@@LINUX_2.6" */
	snprintf(cmd, sizeof(cmd), "nm -D --defined-only %s | sed 's/@.*//'", p);
	if (!run_find(cmd, " __vdso_clock_gettime\n", line, sizeof(line)))
		SKIP("no __vdso_clock_gettime in the vdso");
	at = strtoull(line, NULL, 16);
	s = syms__new(0);
	CHECK_INT(syms__resolve(s, getpid(), start + at + 3, &f), 0);
	CHECK(f.name &&
	      (!strcmp(f.name, "__vdso_clock_gettime") || !strcmp(f.name, "clock_gettime")));
	CHECK_U64(f.off, 3);
	CHECK_STR(f.dso, "[vdso]");
	syms__delete(s);
}

TEST(jit_map)
{
	char path[64], target[64], old_name[64];
	struct syms *s;
	struct sym_frame f;
	FILE *m;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	snprintf(target, sizeof(target), "/tmp/perf-prof-jit-%d.map", getpid());
	m = fopen(path, "w");
	CHECK(m != NULL);
	if (!m)
		return;
	fputs("1000 100 jit_alpha\n1100 80 Interpreter::run(int)\n", m);
	fclose(m);
	s = syms__new(0);
	CHECK_INT(syms__resolve(s, getpid(), 0x1010, &f), 0);
	CHECK_STR(f.name, "jit_alpha");
	CHECK_U64(f.off, 0x10);
	CHECK_STR(f.dso, "[jit]");
	snprintf(old_name, sizeof(old_name), "%s", f.name);
	const char *kept = f.name;

	CHECK_INT(syms__resolve(s, getpid(), 0x117f, &f), 0);
	CHECK_STR(f.name, "Interpreter::run(int)");
	CHECK_INT(syms__resolve(s, getpid(), 0x1184, &f), -ENOENT);

	/* appended later: picked up after the re-check interval */
	m = fopen(path, "a");
	CHECK(m != NULL);
	if (m) {
		fputs("1180 10 jit_gamma\n", m);
		fclose(m);
	}
	usleep(120 * 1000);
	CHECK_INT(syms__resolve(s, getpid(), 0x1184, &f), 0);
	CHECK_STR(f.name, "jit_gamma");
	CHECK_STR(kept, old_name);
	syms__delete(s);

	/* never through a symlink */
	CHECK_INT(rename(path, target), 0);
	CHECK_INT(symlink(target, path), 0);
	s = syms__new(0);
	CHECK_INT(syms__resolve(s, getpid(), 0x1010, &f), -ENOENT);
	syms__delete(s);
	unlink(path);
	unlink(target);
}

TEST(kernel_address)
{
	struct ksyms *ks = ksyms__new();
	struct syms *s;
	struct sym_frame f;
	u64 addr = ksyms__addr(ks, "schedule");

	if (!addr) {
		ksyms__delete(ks);
		SKIP("no kernel symbol addresses (kptr_restrict or not root)");
	}
	s = syms__new(SYMS_NO_PROC);
	syms__set_ksyms(s, ks);
	CHECK_INT(syms__resolve(s, 0, addr + 4, &f), 0);
	CHECK_STR(f.name, "schedule");
	CHECK_U64(f.off, 4);
	CHECK_STR(f.dso, "[kernel.kallsyms]");
	/* callchain context markers are not addresses */
	CHECK_INT(syms__resolve(s, 0, (u64)-512, &f), -ENOENT);
	syms__delete(s);
	ksyms__delete(ks);
}

/*
 * A kallsyms file as the kernel writes it, and a few lines it does not:
 * out of order (modules come after the core kernel), data symbols, a zero
 * address, a line longer than the loader's read buffer, and enough lines
 * that some straddle two reads.
 */
TEST(ksyms_file)
{
	char path[] = "/tmp/perf-prof-kallsyms.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	struct ksyms *ks;
	const char *name, *mod;
	u64 off;

	CHECK(f != NULL);
	if (!f)
		return;
	fprintf(f, "ffffffffc0001000 t mod_fn\t[mymod]\n");
	fprintf(f, "ffffffff81000000 T _text\n");
	fprintf(f, "ffffffff81000100 D some_data\n");
	fprintf(f, "0000000000000000 T zero_addr\n");
	fprintf(f, "ffffffff81000200 t static_fn\n");
	for (int i = 0; i < 70000; i++)
		fputc('x', f);
	fputc('\n', f);
	/* 4000 symbols of 32 bytes: the 64 KB reads cut some of them */
	for (int i = 0; i < 4000; i++)
		fprintf(f, "ffffffff82%06x T fn_%08d\n", i * 16, i);
	fprintf(f, "ffffffffc0002000 W weak_mod\t[other]\n");
	fprintf(f, "ffffffff81000300 w weak_fn");	/* no newline at the end */
	fclose(f);
	ks = ksyms__new_path(path);
	name = ksyms__name(ks, 0xffffffff81000004, &off, &mod);
	CHECK_STR(name, "_text");
	CHECK_U64(off, 4);
	CHECK_STR(mod, "");
	/* the data symbol is not one: its address belongs to _text */
	CHECK_STR(ksyms__name(ks, 0xffffffff81000100, NULL, NULL), "_text");
	CHECK_STR(ksyms__name(ks, 0xffffffff81000210, NULL, NULL), "static_fn");
	name = ksyms__name(ks, 0xffffffffc0001010, &off, &mod);
	CHECK_STR(name, "mod_fn");
	CHECK_STR(mod, "mymod");
	CHECK_U64(off, 0x10);
	CHECK_STR(ksyms__name(ks, 0xffffffffc0002000, NULL, &mod), "weak_mod");
	CHECK_STR(mod, "other");
	for (int i = 0; i < 4000; i += 7) {
		char want[16];

		snprintf(want, sizeof(want), "fn_%08d", i);
		name = ksyms__name(ks, 0xffffffff82000000ULL + (u64)i * 16 + 3, &off, &mod);
		CHECK_STR(name, want);
		CHECK_U64(off, 3);
	}
	CHECK(ksyms__name(ks, 0xffffffff80000000, NULL, NULL) == NULL);
	/* far past the last symbol: no size known, no symbol */
	CHECK(ksyms__name(ks, 0xffffffffc0002000ULL + (2 << 20), NULL, NULL) == NULL);
	CHECK_U64(ksyms__addr(ks, "zero_addr"), 0);
	CHECK_U64(ksyms__addr(ks, "some_data"), 0);
	CHECK_U64(ksyms__addr(ks, "weak_fn"), 0xffffffff81000300ULL);
	CHECK_U64(ksyms__addr(ks, "fn_00003999"), 0xffffffff82000000ULL + 3999 * 16);
	ksyms__delete(ks);
	/* a file that cannot be read: a table without symbols */
	unlink(path);
	ks = ksyms__new_path(path);
	CHECK(ksyms__name(ks, 0xffffffff81000004, NULL, NULL) == NULL);
	ksyms__delete(ks);
}

/*
 * every text symbol of the running kernel, against a plain reading of the
 * file: the core kernel's (modules and BPF programs come and go between two
 * readings)
 */
TEST(ksyms_running_kernel)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	struct ksyms *ks = ksyms__new();
	unsigned long long addr, prev = 0;
	char type, name[600], rest[600], line[1300];
	size_t n = 0, bad = 0, named = 0;

	if (!f || !ksyms__addr(ks, "_text")) {
		if (f)
			fclose(f);
		ksyms__delete(ks);
		SKIP("no kernel symbol addresses (kptr_restrict or not root)");
	}
	while (fgets(line, sizeof(line), f)) {
		int k = sscanf(line, "%llx %c %599s %599s", &addr, &type, name, rest);
		const char *got, *mod;
		u64 off;

		if (k != 3 || !addr || !strchr("tTwWiI", type))
			continue;
		n++;
		got = ksyms__name(ks, addr, &off, &mod);
		/* an alias at the same address may be the one found: offset 0 either way */
		if (!got || off || *mod) {
			if (bad++ < 3)
				fprintf(stderr, "# %llx %s: got %s+%llu [%s]\n", addr, name,
					got ? got : "(none)", (unsigned long long)off,
					got ? mod : "");
			continue;
		}
		named += !strcmp(got, name) || addr == prev;
		prev = addr;
	}
	fclose(f);
	ksyms__delete(ks);
	CHECK(n > 1000);
	CHECK_U64(bad, 0);
	CHECK(named >= n * 99 / 100);
}

TEST(cache_and_cost)
{
	char p[600];
	struct syms *s;
	struct sym_frame f, g;
	struct syms_stats st;
	u64 addrs[64], l1, t0, t1;
	const int n = 1000000;
	int hits = 0;

	NEED_BUILD();
	tpath(p, sizeof(p), "cc");
	l1 = nm_addr(p, "level1");
	s = syms__new(SYMS_NO_PROC | SYMS_INLINE);
	CHECK_INT(syms__mmap(s, FAKE_PID, BASE, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	CHECK_INT(syms__mmap(s, FAKE_PID + 1, 0x400000, 0x4000, 0, PROT_EXEC, NULL, p), 0);
	CHECK_INT(syms__resolve(s, FAKE_PID, BASE + l1 + 1, &f), 0);
	syms__stats(s, &st);
	CHECK_U64(st.cache_hits, 0);
	CHECK_U64(st.dsos, 1);
	/* same file and offset in another process: one cache entry */
	CHECK_INT(syms__resolve(s, FAKE_PID + 1, 0x400000 + l1 + 1, &g), 0);
	syms__stats(s, &st);
	CHECK_U64(st.cache_hits, 1);
	CHECK(f.name == g.name && f.file == g.file && f.line == g.line);

	for (int i = 0; i < 64; i++) {
		addrs[i] = BASE + l1 + (u64)i;
		syms__resolve(s, FAKE_PID, addrs[i], &f);
	}
	t0 = now_ns();
	for (int i = 0; i < n; i++)
		hits += syms__resolve(s, FAKE_PID, addrs[i & 63], &f) == 0;
	t1 = now_ns();
	CHECK_INT(hits, n);
	printf("# syms__resolve, cached (64 addresses, srcline+inline): %.1f ns\n",
	       (double)(t1 - t0) / n);
	syms__delete(s);
}

/* --- the --symbols command ----------------------------------------------- */

static char *run_cli(int argc, char **argv, const char *input, int *rc, char **errout)
{
	FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
	char *buf = NULL;
	long n;

	fputs(input, in);
	rewind(in);
	*rc = symbols_cli_stream(argc, argv, in, out, err);
	n = ftell(out);
	buf = xzalloc((size_t)n + 1);
	rewind(out);
	if (fread(buf, 1, (size_t)n, out) != (size_t)n)
		buf[0] = '\0';
	n = ftell(err);
	*errout = xzalloc((size_t)n + 1);
	rewind(err);
	if (fread(*errout, 1, (size_t)n, err) != (size_t)n)
		(*errout)[0] = '\0';
	fclose(in);
	fclose(out);
	fclose(err);
	return buf;
}

TEST(symbols_cli)
{
	char cc[600], il[600], want[2048], a1[32], a2[32], a3[32], *out, *err;
	u64 l2, l2m, l3, outer, mark;
	int rc;

	NEED_BUILD();
	tpath(cc, sizeof(cc), "cc");
	tpath(il, sizeof(il), "il");
	l2 = nm_addr(cc, "level2");
	l2m = nm_addr(cc, "level2_mark");
	l3 = nm_addr(cc, "level3");
	outer = nm_addr(il, "outer");
	mark = nm_addr(il, "inner_mark");

	snprintf(a1, sizeof(a1), "0x%llx", (unsigned long long)l2m);
	snprintf(a2, sizeof(a2), "%llx", (unsigned long long)l3);
	char *argv1[] = { "--symbols", cc, a1, a2, "0" };

	out = run_cli(5, argv1, "", &rc, &err);
	CHECK_INT(rc, 0);
	snprintf(want, sizeof(want),
		 "0x%llx level2+0x%llx (%s:%d)\n0x%llx level3+0x0 (%s:%d)\n0x0 [unknown]\n",
		 (unsigned long long)l2m, (unsigned long long)(l2m - l2), cc_file,
		 mark_line(cc_src, "level2"), (unsigned long long)l3, cc_file,
		 a2l_line(cc, l3));
	CHECK_STR(out, want);
	CHECK_STR(err, "");
	free(out);
	free(err);

	/* stdin, with an inlined frame and a bad line that keeps its place */
	char *argv2[] = { "--symbols", il };

	snprintf(a3, sizeof(a3), "%llx", (unsigned long long)mark);
	snprintf(want, sizeof(want), "  0x%s \nnope\n\n%llx\n", a3, (unsigned long long)outer);
	out = run_cli(2, argv2, want, &rc, &err);
	CHECK_INT(rc, EXIT_USAGE);
	snprintf(want, sizeof(want),
		 "0x%s inner (%s:%d) inlined into outer+0x%llx (%s:%d)\n"
		 "nope [invalid]\n"
		 "0x%llx outer+0x0 (%s:%d)\n",
		 a3, il_file, mark_line(il_src, "inner"), (unsigned long long)(mark - outer),
		 il_file, mark_line(il_src, "outer-call"), (unsigned long long)outer, il_file,
		 a2l_line(il, outer));
	CHECK_STR(out, want);
	CHECK_STR(err, "perf-prof --symbols: invalid address 'nope'\n");
	free(out);
	free(err);

	char *argv3[] = { "--symbols", cc, "0x12g" };

	out = run_cli(3, argv3, "", &rc, &err);
	CHECK_INT(rc, EXIT_USAGE);
	CHECK_STR(out, "");
	CHECK_CONTAINS(err, "invalid address '0x12g'");
	free(out);
	free(err);

	char *argv4[] = { "--symbols", "/nonexistent/file", "0x10" };

	out = run_cli(3, argv4, "", &rc, &err);
	CHECK_INT(rc, EXIT_FAIL);
	CHECK_STR(out, "");
	CHECK_STR(err, "perf-prof --symbols: cannot open '/nonexistent/file': "
		       "No such file or directory\n");
	free(out);
	free(err);

	char *argv5[] = { "--symbols" };

	out = run_cli(1, argv5, "", &rc, &err);
	CHECK_INT(rc, EXIT_USAGE);
	CHECK_CONTAINS(err, "missing file");
	free(out);
	free(err);
}

/* --- unwinding ----------------------------------------------------------- */

/* UNWIND_REGS_MASK order: BX BP SP IP R12 R13 R14 R15 */
enum { R_BX, R_BP, R_SP, R_IP, R_R12, R_R13, R_R14, R_R15, R_NR };

static struct {
	u64 regs[R_NR];
	u64 size;
	u8 stack[16384];
} cap;
static u64 stack_top;

/* Read the live stack without tripping ASan on other frames' redzones. */
__attribute__((no_sanitize_address, noinline)) static void copy_stack(u8 *dst, u64 src, u64 n)
{
	const volatile u8 *s = (const volatile u8 *)(uintptr_t)src;

	for (u64 i = 0; i < n; i++)
		dst[i] = s[i];
}

/* Registers as PERF_SAMPLE_REGS_USER would give them, then the stack. */
#define CAPTURE()                                                              \
	do {                                                                   \
		u64 *r__ = cap.regs;                                           \
		__asm__ volatile("mov %%rbx, 0(%0)\n\t"                        \
				 "mov %%rbp, 8(%0)\n\t"                        \
				 "mov %%rsp, 16(%0)\n\t"                       \
				 "lea 0(%%rip), %%rax\n\t"                     \
				 "mov %%rax, 24(%0)\n\t"                       \
				 "mov %%r12, 32(%0)\n\t"                       \
				 "mov %%r13, 40(%0)\n\t"                       \
				 "mov %%r14, 48(%0)\n\t"                       \
				 "mov %%r15, 56(%0)\n\t"                       \
				 : : "r"(r__) : "rax", "memory");              \
		cap.size = stack_top - cap.regs[R_SP];                         \
		if (cap.size > sizeof(cap.stack))                              \
			cap.size = sizeof(cap.stack);                          \
		copy_stack(cap.stack, cap.regs[R_SP], cap.size);               \
	} while (0)

static NOIPA long tlevel3(long x)
{
	CAPTURE();
	KEEP(x);
	return x + 1;
}

static NOIPA long tlevel2(long x)
{
	long r = tlevel3(x + 1);

	KEEP(x);
	return r * x;
}

static NOIPA long tlevel1(long x)
{
	long r = tlevel2(x + 2);

	KEEP(x);
	return r - x;
}

static NOIPA bool capture_stack(void)
{
	u64 start;
	long r;

	if (!own_mapping("[stack]", &start, &stack_top))
		return false;
	r = tlevel1(5);
	KEEP(r);
	return r == (5 + 2 + 1 + 1) * (5 + 2) - 5;
}

static int unwind_names(struct syms *s, const u64 *ips, int n, const char **names)
{
	for (int i = 0; i < n; i++) {
		struct sym_frame f;

		syms__resolve(s, getpid(), i ? ips[i] - 1 : ips[i], &f);
		names[i] = sym_frame__name(&f);
	}
	return n;
}

TEST(unwind_self)
{
	static const char *const want[] = { "tlevel3", "tlevel2", "tlevel1", "capture_stack",
					    "test_unwind_self", "main" };
	static const char *const libc_start[] = { "__libc_start_call_main", "__libc_start_main" };
	struct syms *s;
	struct unwind_ctx *ctx;
	struct unwind_stats st;
	const char *names[64];
	u64 ips[64];
	int n, rc;

	CHECK(capture_stack());
	s = syms__new(0);
	ctx = unwind__new(s);
	n = unwind__user(ctx, getpid(), cap.regs, UNWIND_REGS_MASK, cap.stack, cap.size,
			 cap.regs[R_SP], ips, 64);
	CHECK(n >= (int)ARRAY_SIZE(want) + 1);
	unwind_names(s, ips, n, names);
	printf("# unwound:");
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");
	for (size_t i = 0; i < ARRAY_SIZE(want) && (int)i < n; i++)
		CHECK_STR(names[i], want[i]);
	/* through libc's CFI to the outermost frame, whose return address is undefined */
	CHECK_STR(names[n - 1], "_start");
	/* libc's own frames, named when its .symtab is there, without versions */
	for (int i = (int)ARRAY_SIZE(want); i < n - 1; i++)
		CHECK(!strcmp(names[i], "[unknown]") || !strcmp(names[i], libc_start[0]) ||
		      !strcmp(names[i], libc_start[1]));
	CHECK_U64(ips[0], cap.regs[R_IP]);
	unwind__stats(ctx, &st);
	CHECK_U64(st.frames, (u64)n);
	CHECK_U64(st.cfi_steps, (u64)n - 1);
	CHECK_U64(st.fp_steps, 0);

	/* only IP, SP, BP: enough here too */
	u64 min_regs[3] = { cap.regs[R_BP], cap.regs[R_SP], cap.regs[R_IP] };
	u64 ips2[64];

	CHECK_INT(unwind__user(ctx, getpid(), min_regs, UNWIND_REGS_MIN, cap.stack, cap.size,
			       cap.regs[R_SP], ips2, 64), n);
	CHECK(!memcmp(ips, ips2, (size_t)n * sizeof(*ips)));

	/* a short copy ends the walk early, without reading past it */
	CHECK_INT(unwind__user(ctx, getpid(), cap.regs, UNWIND_REGS_MASK, cap.stack, 0,
			       cap.regs[R_SP], ips2, 64), 1);
	rc = unwind__user(ctx, getpid(), cap.regs, UNWIND_REGS_MASK, cap.stack, 64,
			  cap.regs[R_SP], ips2, 64);
	CHECK(rc >= 1 && rc < n);
	CHECK(rc >= 1 && !memcmp(ips, ips2, (size_t)rc * sizeof(*ips)));
	/* @max bounds the output */
	CHECK_INT(unwind__user(ctx, getpid(), cap.regs, UNWIND_REGS_MASK, cap.stack, cap.size,
			       cap.regs[R_SP], ips2, 3), 3);
	CHECK(!memcmp(ips, ips2, 3 * sizeof(*ips)));
	/* no IP in the mask */
	CHECK_INT(unwind__user(ctx, getpid(), cap.regs, 0x80, cap.stack, cap.size,
			       cap.regs[R_SP], ips2, 64), -EINVAL);
	unwind__delete(ctx);
	syms__delete(s);
}

TEST(unwind_frame_pointer_fallback)
{
	/* no mappings known: every step follows the saved-rbp chain */
	u64 stack[16] = { 0 }, sp = 0x7ffc0000;
	u64 regs[3] = { sp + 16, sp, 0x401000 };	/* BP SP IP */
	struct syms *s = syms__new(SYMS_NO_PROC);
	struct unwind_ctx *ctx = unwind__new(s);
	struct unwind_stats st;
	u64 ips[8];

	stack[2] = sp + 48;	/* frame at sp+16: saved rbp, return address */
	stack[3] = 0x401111;
	stack[6] = sp + 96;	/* frame at sp+48 */
	stack[7] = 0x402222;
	stack[12] = 0;		/* frame at sp+96: end of chain */
	stack[13] = 0x403333;
	CHECK_INT(unwind__user(ctx, FAKE_PID, regs, UNWIND_REGS_MIN, stack, sizeof(stack), sp,
			       ips, 8), 4);
	CHECK_U64(ips[0], 0x401000);
	CHECK_U64(ips[1], 0x401111);
	CHECK_U64(ips[2], 0x402222);
	CHECK_U64(ips[3], 0x403333);
	unwind__stats(ctx, &st);
	CHECK_U64(st.fp_steps, 3);
	/* a loop in the chain stops instead of spinning */
	stack[12] = sp + 16;
	CHECK_INT(unwind__user(ctx, FAKE_PID, regs, UNWIND_REGS_MIN, stack, sizeof(stack), sp,
			       ips, 8), 4);
	unwind__delete(ctx);
	syms__delete(s);
}

TEST(unwind_cost)
{
	struct syms *s;
	struct unwind_ctx *ctx;
	u64 ips[64], t0, t1;
	const int n = 200000;
	int frames = 0;

	CHECK(capture_stack());
	s = syms__new(0);
	ctx = unwind__new(s);
	frames = unwind__user(ctx, getpid(), cap.regs, UNWIND_REGS_MASK, cap.stack, cap.size,
			      cap.regs[R_SP], ips, 64);
	t0 = now_ns();
	for (int i = 0; i < n; i++)
		CHECK_INT(unwind__user(ctx, getpid(), cap.regs, UNWIND_REGS_MASK, cap.stack,
				       cap.size, cap.regs[R_SP], ips, 64), frames);
	t1 = now_ns();
	printf("# unwind__user, %d frames, %llu-byte stack, cached CFI: %.0f ns (%.0f ns/frame)\n",
	       frames, (unsigned long long)cap.size, (double)(t1 - t0) / n,
	       (double)(t1 - t0) / n / frames);
	unwind__delete(ctx);
	syms__delete(s);
}

TEST(zz_cleanup)
{
	if (built)
		CHECK_INT(sh("rm -rf %s", tdir), 0);
}
