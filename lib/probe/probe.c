// SPDX-License-Identifier: GPL-2.0
/*
 * probe.c - probe terms resolved into tracefs dynamic event definitions.
 *
 *   uprobe:FUNC[+OFF]@FILE(ARGS)
 *     FILE --probe__resolve_file--> /real/path
 *     FUNC --probe__elf_offset--> file offset (symtab, dynsym, debuginfo),
 *                                 OFF checked against instructions (insn.c)
 *     ARGS --probe__fetchargs--> "size=%di:u64 ..."
 *     --> struct probe_def, which registry.c writes as
 *         "p:pp_<pid>/FUNC /real/path:0xOFF size=%di:u64" >> uprobe_events
 *
 * Also the reading side of tracefs dynamic events (probe__list, and the
 * line parser the registry's reaper shares).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfutil.h"
#include "internal.h"
#include "probe.h"
#include "ksyms.h"
#include "tep.h"

#define ARGS_MAX 128		/* the kernel's MAX_TRACE_ARGS */
#define ARG_NAME_MAX 31		/* the kernel's MAX_ARG_NAME_LEN - 1 */
#define ARRAY_MAX 64		/* the kernel's MAX_ARRAY_LEN */
#define DEBUG_DIR "/usr/lib/debug"
#define NT_BUILD_ID 3		/* NT_GNU_BUILD_ID */

/* --------------------------------------------------------- fetch args */

/* what a FETCH is, for default names and the string auto-dereference */
enum fetch_class {
	FETCH_VALUE,	/* a register-like value: argN, %REG, $retval, $stackN */
	FETCH_MEMORY,	/* @ADDR, OFF(FETCH): already memory */
	FETCH_COMM,	/* $comm: a string by itself */
};

struct fetch_ctx {
	enum evspec_kind kind;
	const char *s;
	struct err *err;
	int errcol;
};

#if defined(__x86_64__)
static const char *const arg_regs[] = { "di", "si", "dx", "cx", "r8", "r9" };
static const char *const known_regs[] = {
	"ax", "bx", "cx", "dx", "si", "di", "bp", "sp", "r8", "r9", "r10", "r11", "r12",
	"r13", "r14", "r15", "ip", "flags", "cs", "ss", "ds", "es", "fs", "gs", "orig_ax",
};
#define REGS_HINT "ax bx cx dx si di bp sp r8-r15 ip flags (the r of rax... is optional)"
#elif defined(__aarch64__)
static const char *const arg_regs[] = { "x0", "x1", "x2", "x3", "x4", "x5" };
static const char *const known_regs[] = { NULL };	/* not checked: the kernel does */
#define REGS_HINT "x0-x30 sp pc pstate"
#else
static const char *const arg_regs[] = { NULL };
static const char *const known_regs[] = { NULL };
#define REGS_HINT "the registers of this architecture"
#endif

static const char *const types[] = {
	"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "x8", "x16", "x32", "x64",
	"string", "ustring", "char", "symbol",
};

static int fetch_fail(struct fetch_ctx *c, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fetch_fail(struct fetch_ctx *c, int col, const char *fmt, ...)
{
	va_list ap;

	c->errcol = col;
	c->err->code = EXIT_USAGE;
	c->err->hint[0] = c->err->detail[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

bool kind_is_ret(enum evspec_kind kind)
{
	return kind == EVSPEC_URETPROBE || kind == EVSPEC_KRETPROBE;
}

bool kind_is_kernel(enum evspec_kind kind)
{
	return kind == EVSPEC_KPROBE || kind == EVSPEC_KRETPROBE;
}

static bool span_is(const char *s, int b, int e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - b) == n && !strncmp(s + b, word, n);
}

/* span_digits - [b, e) is a decimal number without sign; its value in *v */
static bool span_digits(const char *s, int b, int e, long *v)
{
	if (b >= e || e - b > 6)
		return false;
	*v = 0;
	for (int i = b; i < e; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* span_number - decimal or 0x hex in [b, e) */
static bool span_number(const char *s, int b, int e)
{
	int i = b;
	bool hex = e - b > 2 && s[b] == '0' && (s[b + 1] == 'x' || s[b + 1] == 'X');

	if (b >= e)
		return false;
	if (hex)
		i += 2;
	for (; i < e; i++)
		if (hex ? !isxdigit((unsigned char)s[i]) : !isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static const char *reg_canonical(const char *name, size_t len, char *buf, size_t size)
{
	static const char *const legacy[] = { "ax", "bx", "cx", "dx", "si", "di", "bp", "sp",
					      "ip" };

	snprintf(buf, size, "%.*s", (int)len, name);
	if (!known_regs[0])
		return buf;
	/* rdi -> di, eflags/rflags -> flags: what users read in a disassembly */
	if (!strcmp(buf, "rflags") || !strcmp(buf, "eflags"))
		return "flags";
	for (size_t i = 0; buf[0] == 'r' && i < ARRAY_SIZE(legacy); i++)
		if (!strcmp(buf + 1, legacy[i]))
			return legacy[i];
	for (size_t i = 0; i < ARRAY_SIZE(known_regs); i++)
		if (!strcmp(buf, known_regs[i]))
			return known_regs[i];
	return NULL;
}

static int fetch_parse(struct fetch_ctx *c, int b, int e, char **out, enum fetch_class *cls,
		       char *name, size_t name_len);

/* fetch_reg - %REG */
static int fetch_reg(struct fetch_ctx *c, int b, int e, char **out, char *name, size_t name_len)
{
	char buf[32];
	const char *canon;

	if (e - b < 2 || e - b > 16)
		return fetch_fail(c, b, "unknown register '%.*s'", e - b, c->s + b);
	for (int i = b + 1; i < e; i++)
		if (!isalnum((unsigned char)c->s[i]) && c->s[i] != '_')
			return fetch_fail(c, i, "unknown register '%.*s'", e - b, c->s + b);
	canon = reg_canonical(c->s + b + 1, (size_t)(e - b - 1), buf, sizeof(buf));
	if (!canon) {
		fetch_fail(c, b, "unknown register '%.*s'", e - b, c->s + b);
		err_hint(c->err, "registers are %s", REGS_HINT);
		return -1;
	}
	*out = xasprintf("%%%s", canon);
	snprintf(name, name_len, "%s", canon);
	return 0;
}

/* fetch_argn - argN / $argN: the Nth integer argument at function entry */
static int fetch_argn(struct fetch_ctx *c, int b, int e, long n, char **out, char *name,
		      size_t name_len)
{
	if (n < 1 || n > (long)ARRAY_SIZE(arg_regs) || !arg_regs[0]) {
		fetch_fail(c, b, "'%.*s' is out of range", e - b, c->s + b);
		if (arg_regs[0])
			err_hint(c->err, "arg1..arg%d are the integer arguments passed in registers; "
				 "at function entry the next ones are on the stack: $stack1, $stack2...",
				 (int)ARRAY_SIZE(arg_regs));
		else
			err_hint(c->err, "argN is not defined on this architecture: write %%REG");
		return -1;
	}
	if (c->kind == EVSPEC_URETPROBE) {
		fetch_fail(c, b, "'%.*s' is not available in a uretprobe", e - b, c->s + b);
		err_hint(c->err, "the argument registers hold other values at return; "
			 "fetch arguments at the entry: uprobe:FUNC@FILE(arg%ld)", n);
		return -1;
	}
	/* kretprobes save the entry arguments themselves ($argN) */
	if (c->kind == EVSPEC_KRETPROBE)
		*out = xasprintf("$arg%ld", n);
	else
		*out = xasprintf("%%%s", arg_regs[n - 1]);
	snprintf(name, name_len, "arg%ld", n);
	return 0;
}

/* fetch_var - $retval, $comm, $stack, $stackN, $argN and their bare forms */
static int fetch_var(struct fetch_ctx *c, int b, int e, char **out, enum fetch_class *cls,
		     char *name, size_t name_len)
{
	int w = c->s[b] == '$' ? b + 1 : b;
	long n;

	if (span_is(c->s, w, e, "retval")) {
		if (!kind_is_ret(c->kind)) {
			fetch_fail(c, b, "'%.*s' is only available in return probes", e - b, c->s + b);
			err_hint(c->err, "use %s:FUNC...(%.*s) for the return value",
				 kind_is_kernel(c->kind) ? "kretprobe" : "uretprobe", e - b, c->s + b);
			return -1;
		}
		*out = xstrdup("$retval");
		snprintf(name, name_len, "ret");
		return 0;
	}
	if (span_is(c->s, w, e, "comm")) {
		*out = xstrdup("$comm");
		*cls = FETCH_COMM;
		snprintf(name, name_len, "comm");
		return 0;
	}
	if (span_is(c->s, w, e, "stack")) {
		*out = xstrdup("$stack");
		snprintf(name, name_len, "stack");
		return 0;
	}
	if (e - w > 5 && !strncmp(c->s + w, "stack", 5) && span_digits(c->s, w + 5, e, &n)) {
		*out = xasprintf("$stack%ld", n);
		snprintf(name, name_len, "stack%ld", n);
		return 0;
	}
	if (e - w > 3 && !strncmp(c->s + w, "arg", 3) && span_digits(c->s, w + 3, e, &n))
		return fetch_argn(c, b, e, n, out, name, name_len);
	return 1;	/* not a variable */
}

/* fetch_deref - [+|-][u]OFF(FETCH): memory at FETCH + OFF */
static int fetch_deref(struct fetch_ctx *c, int b, int e, char **out)
{
	int i = b + 1, open, ob;
	bool user = false;
	enum fetch_class inner_cls = FETCH_VALUE;
	char inner_name[32], *inner = NULL;

	if (i < e && c->s[i] == 'u') {
		user = true;
		i++;
	}
	ob = i;
	open = ob;
	while (open < e && c->s[open] != '(')
		open++;
	if (open == e || c->s[e - 1] != ')') {
		fetch_fail(c, b, "invalid dereference '%.*s'", e - b, c->s + b);
		err_hint(c->err, "write OFF(FETCH), e.g. +0(arg1) or +16(%%sp)");
		return -1;
	}
	if (!span_number(c->s, ob, open)) {
		fetch_fail(c, ob, "invalid offset '%.*s'", open - ob, c->s + ob);
		err_hint(c->err, "offsets are decimal or 0x hex: +8(arg1), -0x10(%%bp)");
		return -1;
	}
	if (fetch_parse(c, open + 1, e - 1, &inner, &inner_cls, inner_name, sizeof(inner_name)))
		return -1;
	if (inner_cls == FETCH_COMM) {
		free(inner);
		return fetch_fail(c, open + 1, "cannot dereference '$comm'");
	}
	*out = xasprintf("%c%s%.*s(%s)", c->s[b], user ? "u" : "", open - ob, c->s + ob, inner);
	free(inner);
	return 0;
}

/* fetch_addr - @ADDR or @SYM[+|-OFF]; uprobes: @ADDR or @+FILE_OFFSET */
static int fetch_addr(struct fetch_ctx *c, int b, int e, char **out)
{
	bool user = !kind_is_kernel(c->kind);
	int nb = b + 1 + (user && b + 1 < e && c->s[b + 1] == '+');

	if (b + 1 >= e) {
		fetch_fail(c, b, "missing address after '@'");
		err_hint(c->err, user ? "write @0xADDR, or @+OFFSET for an offset in the file" :
					"write @0xADDR or @SYMBOL[+OFF]");
		return -1;
	}
	if (user && !span_number(c->s, nb, e)) {
		fetch_fail(c, b, "invalid address '%.*s'", e - b, c->s + b);
		err_hint(c->err, "a uprobe reads @0xADDR, or @+OFFSET at an offset in the file; "
			 "symbols are for kprobes");
		return -1;
	}
	for (int i = b + 1; i < e; i++) {
		char ch = c->s[i];

		if (!isalnum((unsigned char)ch) && !strchr("_.+-", ch)) {
			fetch_fail(c, i, "invalid address '%.*s'", e - b, c->s + b);
			err_hint(c->err, "write @0xADDR or @SYMBOL[+OFF]");
			return -1;
		}
	}
	*out = xasprintf("%.*s", e - b, c->s + b);
	return 0;
}

/*
 * fetch_parse - one FETCH in [b, e) into the kernel's syntax. @name gets
 * the default argument name ("" when the FETCH has none).
 */
static int fetch_parse(struct fetch_ctx *c, int b, int e, char **out, enum fetch_class *cls,
		       char *name, size_t name_len)
{
	char ch = b < e ? c->s[b] : '\0';
	int r;

	name[0] = '\0';
	*cls = FETCH_VALUE;
	if (b >= e)
		return fetch_fail(c, b, "missing fetch argument");
	if (ch == '%')
		return fetch_reg(c, b, e, out, name, name_len);
	if (ch == '@') {
		*cls = FETCH_MEMORY;
		return fetch_addr(c, b, e, out);
	}
	if (ch == '+' || ch == '-') {
		*cls = FETCH_MEMORY;
		return fetch_deref(c, b, e, out);
	}
	r = fetch_var(c, b, e, out, cls, name, name_len);
	if (r <= 0)
		return r;
	fetch_fail(c, b, "unknown fetch argument '%.*s'", e - b, c->s + b);
	err_hint(c->err, "write argN (1-%d), $retval, %%REG, $comm, $stackN, @ADDR or OFF(FETCH); "
		 "see Documentation/probes.md", (int)ARRAY_SIZE(arg_regs));
	return -1;
}

/* type_check - TYPE in [b, e): a known type, integers maybe with [N] */
static int type_check(struct fetch_ctx *c, int b, int e, bool *is_string)
{
	if (span_is(c->s, b, e, "symbol") && !kind_is_kernel(c->kind)) {
		fetch_fail(c, b, "type 'symbol' is for kprobes");
		err_hint(c->err, "print user-space addresses as x64");
		return -1;
	}

	int base_end = b;
	long n;

	while (base_end < e && c->s[base_end] != '[')
		base_end++;
	*is_string = false;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (!span_is(c->s, b, base_end, types[i]))
			continue;
		*is_string = !strcmp(types[i], "string") || !strcmp(types[i], "ustring");
		if (base_end == e)
			return 0;
		if (*is_string || !strcmp(types[i], "symbol"))
			return fetch_fail(c, base_end, "type '%s' cannot be an array", types[i]);
		if (c->s[e - 1] != ']' || !span_digits(c->s, base_end + 1, e - 1, &n) || n < 1 ||
		    n > ARRAY_MAX) {
			fetch_fail(c, base_end, "invalid array size '%.*s'", e - base_end,
				   c->s + base_end);
			err_hint(c->err, "write TYPE[N] with N from 1 to %d, e.g. u8[16]", ARRAY_MAX);
			return -1;
		}
		return 0;
	}
	fetch_fail(c, b, "unknown type '%.*s'", e - b, c->s + b);
	err_hint(c->err, "types are u8..u64, s8..s64, x8..x64 (hex), string, ustring, char, symbol; "
		 "integers may be arrays: u8[16]");
	return -1;
}

static int name_check(struct fetch_ctx *c, int col, const char *name,
		      char (*seen)[ARG_NAME_MAX + 2], int nr)
{
	bool ok = name[0] && (isalpha((unsigned char)name[0]) || name[0] == '_') &&
		  strlen(name) <= ARG_NAME_MAX;

	for (const char *p = name; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || *p == '_';
	if (!ok) {
		fetch_fail(c, col, "invalid argument name '%s'", name);
		err_hint(c->err, "names are C identifiers of at most %d characters", ARG_NAME_MAX);
		return -1;
	}
	if (!strncmp(name, "common_", 7) || !strncmp(name, "__probe_", 8)) {
		fetch_fail(c, col, "argument name '%s' is reserved", name);
		err_hint(c->err, "common_* and __probe_* are fields every probe event has; "
			 "choose another name");
		return -1;
	}
	for (int i = 0; i < nr; i++) {
		if (strcmp(seen[i], name))
			continue;
		fetch_fail(c, col, "duplicate argument name '%s'", name);
		err_hint(c->err, "give each argument its own name: NAME=FETCH");
		return -1;
	}
	return 0;
}

/* arg_split - the end of the ARG starting at @b: a ',' outside (...) or @e */
static int arg_split(const char *s, int b, int e)
{
	int depth = 0;

	for (int i = b; i < e; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		else if (s[i] == ',' && !depth)
			return i;
	}
	return e;
}

/* arg_translate - one [NAME=]FETCH[:TYPE] in [b, e), appended to @out */
static int arg_translate(struct fetch_ctx *c, int b, int e, char (*seen)[ARG_NAME_MAX + 2],
			 int nr, char **out)
{
	int fb = b, fe = e, colon = -1, depth = 0;
	enum fetch_class cls;
	char name[ARG_NAME_MAX + 2], dflt[ARG_NAME_MAX + 2], *fetch = NULL, *prev = *out;
	bool is_string = false, named = false;

	for (int i = b; i < e; i++) {
		if (isspace((unsigned char)c->s[i]))
			return fetch_fail(c, i, "unexpected space in probe argument '%.*s'", e - b,
					  c->s + b);
		depth += c->s[i] == '(' ? 1 : c->s[i] == ')' ? -1 : 0;
		if (depth < 0)
			return fetch_fail(c, i, "unbalanced ')' in probe argument '%.*s'", e - b,
					  c->s + b);
		if (c->s[i] == '=' && !named && !depth) {
			snprintf(name, sizeof(name), "%.*s", i - b, c->s + b);
			named = true;
			fb = i + 1;
		} else if (c->s[i] == ':' && !depth) {
			colon = i;
		}
	}
	if (depth)
		return fetch_fail(c, b, "unbalanced '(' in probe argument '%.*s'", e - b, c->s + b);
	if (colon >= fb) {
		fe = colon;
		if (colon + 1 == e)
			return fetch_fail(c, colon, "missing type after ':' in probe argument '%.*s'",
					  e - b, c->s + b);
		if (type_check(c, colon + 1, e, &is_string))
			return -1;
	}
	if (fetch_parse(c, fb, fe, &fetch, &cls, dflt, sizeof(dflt)))
		return -1;
	if (!named) {
		if (!dflt[0]) {
			fetch_fail(c, fb, "argument '%.*s' needs a name", fe - fb, c->s + fb);
			err_hint(c->err, "write NAME=%.*s", e - fb, c->s + fb);
			goto fail;
		}
		snprintf(name, sizeof(name), "%s", dflt);
	}
	if (name_check(c, b, name, seen, nr))
		goto fail;
	snprintf(seen[nr], ARG_NAME_MAX + 2, "%s", name);
	if (cls == FETCH_COMM && colon >= fb && !is_string) {
		fetch_fail(c, colon + 1, "'$comm' is a string");
		err_hint(c->err, "write %s=$comm or %s=$comm:string", name, name);
		goto fail;
	}
	/* a string is the memory a value points to: arg1:string means +0(arg1) */
	if (is_string && cls == FETCH_VALUE)
		*out = xasprintf("%s%s%s=+0(%s):%.*s", prev, *prev ? " " : "", name, fetch,
				 e - colon - 1, c->s + colon + 1);
	else if (colon >= fb)
		*out = xasprintf("%s%s%s=%s:%.*s", prev, *prev ? " " : "", name, fetch,
				 e - colon - 1, c->s + colon + 1);
	else
		*out = xasprintf("%s%s%s=%s%s", prev, *prev ? " " : "", name, fetch,
				 cls == FETCH_COMM ? ":string" : ":u64");
	free(prev);
	free(fetch);
	return 0;
fail:
	free(fetch);
	return -1;
}

int probe__fetchargs(enum evspec_kind kind, const char *args, char **out, int *errcol,
		     struct err *err)
{
	struct fetch_ctx c = { .kind = kind, .s = args, .err = err, .errcol = 0 };
	char (*seen)[ARG_NAME_MAX + 2];
	int len = (int)strlen(args), nr = 0, b = 0;

	*out = xstrdup("");
	if (args[strspn(args, " \t")] == '\0')	/* "()": no arguments */
		return 0;
	seen = xzalloc(sizeof(*seen) * ARGS_MAX);
	for (;;) {
		int e = arg_split(args, b, len), tb = b, te = e;

		while (tb < te && isspace((unsigned char)args[tb]))
			tb++;
		while (te > tb && isspace((unsigned char)args[te - 1]))
			te--;
		if (tb == te) {
			fetch_fail(&c, tb, "empty probe argument");
			err_hint(err, "remove the extra ','");
			goto fail;
		}
		if (nr == ARGS_MAX) {
			fetch_fail(&c, tb, "too many probe arguments (at most %d)", ARGS_MAX);
			goto fail;
		}
		if (arg_translate(&c, tb, te, seen, nr, out))
			goto fail;
		nr++;
		if (e == len)
			break;
		b = e + 1;
	}
	free(seen);
	return 0;
fail:
	free(seen);
	free(*out);
	*out = NULL;
	*errcol = c.errcol;
	return -1;
}

/* ------------------------------------------------------------ file lookup */

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#define MULTIARCH "aarch64-linux-gnu"
#else
#define NATIVE_MACHINE EM_NONE
#define MULTIARCH ""
#endif

/* elf_native - @path is an ELF file of this machine and word size */
static bool elf_native(const char *path)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	ssize_t n = -1;
	u16 machine;

	if (fd < 0)
		return false;
	/* a FIFO or a device is no program: never wait on it or read it */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG))
		return false;
	if (h[EI_CLASS] != (sizeof(long) == 8 ? ELFCLASS64 : ELFCLASS32))
		return false;
	memcpy(&machine, h + 18, sizeof(machine));
	return NATIVE_MACHINE == EM_NONE || machine == NATIVE_MACHINE;
}

/* lib_matches - a library file/soname @key answers to the name @want */
static bool lib_matches(const char *key, const char *want)
{
	size_t n = strlen(want);

	if (strncmp(key, want, n))
		return false;
	if (!key[n])
		return true;
	if (strstr(want, ".so"))	/* "libz.so" answers to libz.so.1 */
		return key[n] == '.';
	/* "libc" answers to libc.so.6, not to libcap.so.2 */
	return !strncmp(key + n, ".so", 3) && (!key[n + 3] || key[n + 3] == '.');
}

struct lib_found {
	char **paths;
	int n;
};

static void lib_found_add(struct lib_found *f, const char *path)
{
	char *real = realpath(path, NULL);

	if (!real)
		return;
	if (!elf_native(real)) {
		free(real);
		return;
	}
	for (int i = 0; i < f->n; i++) {
		if (!strcmp(f->paths[i], real)) {
			free(real);
			return;
		}
	}
	f->paths = xrealloc(f->paths, (size_t)(f->n + 1) * sizeof(*f->paths));
	f->paths[f->n++] = real;
}

static void lib_found_free(struct lib_found *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->paths[i]);
	free(f->paths);
	f->paths = NULL;
	f->n = 0;
}

/*
 * ldcache_find - /etc/ld.so.cache ("glibc-ld.so.cache1.1": a header, then
 * 24-byte entries whose key/value are offsets of sonames/paths from the
 * start of the file). The older format glibc stopped writing is not read.
 */
static void ldcache_find(const char *want, struct lib_found *f)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	size_t len, hdr = 48, ent = 24;
	char *buf = read_file("/etc/ld.so.cache", &len);
	u32 nlibs;

	if (!buf)
		return;
	if (len < hdr || memcmp(buf, magic, sizeof(magic) - 1))
		goto out;
	memcpy(&nlibs, buf + 20, sizeof(nlibs));
	if (nlibs > (len - hdr) / ent)
		goto out;
	for (u32 i = 0; i < nlibs; i++) {
		const char *e = buf + hdr + (size_t)i * ent;
		u32 key, value;

		memcpy(&key, e + 4, sizeof(key));
		memcpy(&value, e + 8, sizeof(value));
		if (key >= len || value >= len || !memchr(buf + key, '\0', len - key) ||
		    !memchr(buf + value, '\0', len - value))
			continue;
		if (lib_matches(buf + key, want))
			lib_found_add(f, buf + value);
	}
out:
	free(buf);
}

/* libdirs_find - the standard library directories, when the cache knows nothing */
static void libdirs_find(const char *want, struct lib_found *f)
{
	static const char *const dirs[] = {
		"/lib/" MULTIARCH, "/usr/lib/" MULTIARCH, "/lib64", "/usr/lib64", "/lib", "/usr/lib",
		"/usr/local/lib",
	};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d))) {
			char path[PATH_MAX];

			if (!lib_matches(de->d_name, want))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], de->d_name);
			lib_found_add(f, path);
		}
		closedir(d);
	}
}

static char *lib_resolve(const char *file, struct err *err)
{
	struct lib_found f = { 0 };
	char *path;

	ldcache_find(file, &f);
	if (!f.n)
		libdirs_find(file, &f);
	if (!f.n) {
		err_set(err, EXIT_USAGE, "no library '%s' found", file);
		err_hint(err, "give the path of the file, quoted: @\"/path/to/%s.so\"", file);
		return NULL;
	}
	if (f.n > 1) {
		err_set(err, EXIT_USAGE, "'%s' names %d libraries", file, f.n);
		for (int i = 0; i < f.n; i++)
			err_detail(err, "  %s", f.paths[i]);
		err_hint(err, "name one of them by its path, quoted: @\"%s\"", f.paths[0]);
		lib_found_free(&f);
		return NULL;
	}
	path = f.paths[0];
	free(f.paths);
	return path;
}

static char *path_resolve(const char *file)
{
	const char *env = getenv("PATH");
	char *dup, *save = NULL, *dir, *found = NULL;

	if (!env)
		return NULL;
	dup = xstrdup(env);
	for (dir = strtok_r(dup, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", *dir ? dir : ".", file);
		if (!stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK))
			found = realpath(path, NULL);
	}
	free(dup);
	return found;
}

char *probe__resolve_file(const char *file, struct err *err)
{
	struct stat st;
	char *path = NULL;

	if (!file || !*file) {
		err_set(err, EXIT_USAGE, "missing file of the uprobe");
		return NULL;
	}
	if (strchr(file, '/') || (!stat(file, &st) && S_ISREG(st.st_mode))) {
		path = realpath(file, NULL);
		if (!path) {
			err_set(err, EXIT_USAGE, "cannot find '%s': %s", file, strerror(errno));
			err_hint(err, "give an existing executable or library, or a library name "
				 "such as libc");
			return NULL;
		}
	} else if (!strncmp(file, "lib", 3)) {
		path = lib_resolve(file, err);
		if (!path)
			return NULL;
	} else {
		path = path_resolve(file);
		if (!path) {
			err_set(err, EXIT_USAGE, "no file or program '%s' found", file);
			err_hint(err, "give the path of the file, quoted: @\"/path/to/%s\"", file);
			return NULL;
		}
	}
	if (stat(path, &st) || !S_ISREG(st.st_mode) || !elf_native(path)) {
		err_set(err, EXIT_USAGE, "'%s' is not an ELF file of this machine", path);
		err_hint(err, "uprobes go into executables and shared libraries");
		free(path);
		return NULL;
	}
	if (strpbrk(path, " \t\n")) {
		err_set(err, EXIT_USAGE, "cannot probe '%s': the path contains a space", path);
		err_hint(err, "tracefs probe definitions cannot hold spaces; use a symbolic link");
		free(path);
		return NULL;
	}
	return path;
}

/* ------------------------------------------------------------ ELF symbols */

/*
 * vaddr_to_offset - through the PT_LOAD segment holding @vaddr (executable);
 * *@avail (when not NULL): the bytes of the segment in the file from there
 */
static int vaddr_to_offset(Elf *elf, u64 vaddr, u64 *off, bool *exec, u64 *avail)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr < ph.p_vaddr || vaddr >= ph.p_vaddr + ph.p_filesz)
			continue;
		*off = vaddr - ph.p_vaddr + ph.p_offset;
		*exec = ph.p_flags & PF_X;
		if (avail)
			*avail = ph.p_vaddr + ph.p_filesz - vaddr;
		return 0;
	}
	return -1;
}

static int sym_not_found(const char *path, const char *func, const struct elf_func *best,
			 bool main_stripped, bool stripped, struct err *err)
{
	if (best->non_func) {
		err_set(err, EXIT_USAGE, "'%s' in '%s' is not a function", func, path);
		err_hint(err, "uprobes go on code: 'nm -D %s' lists the functions", path);
		return -1;
	}
	err_set(err, EXIT_USAGE, "no function '%s' in '%s'", func, path);
	if (stripped)
		err_hint(err, "the file is stripped and no debuginfo was found: install its debug "
			 "symbols (-dbg/-dbgsym package) or probe an exported function ('nm -D %s')",
			 path);
	else
		err_hint(err, "'nm %s%s' lists its functions", main_stripped ? "-D " : "", path);
	return -1;
}

/* sym_lookup - @func in @main's tables, else in its separate debuginfo */
static int sym_lookup(const char *path, Elf *main_elf, const char *func, const char *debug_dir,
		      struct elf_func *best, struct err *err)
{
	GElf_Shdr sh;
	bool main_stripped = !elf__section_type(main_elf, SHT_SYMTAB, &sh), stripped = main_stripped;

	elf__find_func(main_elf, func, best);
	if (!best->rank && stripped) {
		char *found = NULL;
		Elf *dbg = debuginfo__find(main_elf, path, debug_dir, NULL, 0, &found);

		/* debuginfo without a symbol table names nothing: still stripped */
		if (dbg && elf__section_type(dbg, SHT_SYMTAB, &sh)) {
			elf__find_func(dbg, func, best);
			stripped = false;
		}
		if (dbg)
			elf__close(dbg);
		free(found);
	}
	if (!best->rank)
		return sym_not_found(path, func, best, main_stripped, stripped, err);
	if (best->ambiguous) {
		err_set(err, EXIT_USAGE, "'%s' names several functions in '%s'", func, path);
		err_hint(err, "probe one by its address: uprobe:0xADDR@FILE ('nm %s | grep %s')",
			 path, func);
		return -1;
	}
	if (GELF_ST_TYPE(best->sym.st_info) == STT_GNU_IFUNC) {
		err_set(err, EXIT_USAGE, "'%s' in '%s' is an indirect function (IFUNC)", func, path);
		err_hint(err, "its symbol is the resolver, which runs once at load time; probe the "
			 "implementation it selects (e.g. __%s_avx2, see 'nm' on its debuginfo)", func);
		return -1;
	}
	return 0;
}

/*
 * code_check - @off must start an instruction of @func (@best), whose code
 * is read from the file's own bytes: the symbol may come from debuginfo,
 * the code never does. A symbol without a size is decoded up to @off and
 * one instruction past it.
 */
static int code_check(Elf *elf, const char *path, const char *func, const struct elf_func *best,
		      u64 off, struct err *err)
{
	u64 start, avail, len = best->sym.st_size ? best->sym.st_size : off + 16;
	size_t raw_size = 0;
	const char *raw = elf_rawfile(elf, &raw_size);
	char near[128];
	bool exec;
	GElf_Ehdr eh;
	int r;

	if (!off || !gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64)
		return 0;	/* entry, or an architecture the decoder is not asked about */
	if (vaddr_to_offset(elf, best->sym.st_value, &start, &exec, &avail) || !raw ||
	    start >= raw_size)
		return 0;	/* not code: the caller's address check says so */
	if (len > avail)
		len = avail;
	if (len > raw_size - start)
		len = raw_size - start;
	r = probe__insn_check((const u8 *)raw + start, (size_t)len, off, near, sizeof(near));
	if (!r || r == -ENOTSUP)
		return 0;
	if (r == -ELIBACC) {
		/* the check keeps a probe from corrupting an instruction: no guessing without it */
		err_set(err, EXIT_FAILURE, "cannot check that offset %#llx starts an instruction of "
			"'%s': %s", (unsigned long long)off, func, probe__insn_lib_error());
		err_hint(err, "install the instruction decoder (Debian: apt-get install libcapstone4), "
			 "or probe the function's entry");
		return -ELIBACC;
	}
	if (r == -EINVAL) {
		err_set(err, EXIT_USAGE, "offset %#llx is inside an instruction of '%s'",
			(unsigned long long)off, func);
		err_hint(err, "a probe goes on the first byte of an instruction, or it corrupts it; "
			 "instructions start at %s ('objdump -d %s')", near, path);
	} else if (r == -ENOEXEC) {
		err_set(err, EXIT_USAGE, "cannot decode the instructions of '%s' up to offset %#llx",
			func, (unsigned long long)off);
		err_hint(err, "'%s' holds bytes that are not instructions before that offset; "
			 "instructions start at %s ('objdump -d %s')", func, near[0] ? near : "+0x0",
			 path);
	} else {
		err_set(err, EXIT_USAGE, "offset %#llx of '%s' is beyond the code in '%s'",
			(unsigned long long)off, func, path);
		err_hint(err, "give an offset inside the function ('objdump -d %s')", path);
	}
	return -ERANGE;
}

int probe__elf_offset(const char *path, const char *func, u64 off, const char *debug_dir,
		      u64 *file_off, struct err *err)
{
	struct elf_func best = { .rank = 0 };
	GElf_Ehdr eh;
	bool exec = false;
	size_t raw_size = 0;
	u64 vaddr;
	int r = -1;
	Elf *elf;

	errno = 0;
	elf = elf__open(path);
	if (!elf) {
		err_set(err, EXIT_USAGE, "cannot read ELF file '%s': %s", path,
			errno ? strerror(errno) : elf_errmsg(-1));
		return -1;
	}
	if (!gelf_getehdr(elf, &eh) || (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)) {
		err_set(err, EXIT_USAGE, "'%s' is not an executable or a shared library", path);
		goto out;
	}
	if (strncmp(func, "0x", 2) || parse_u64(func, &vaddr)) {
		if (sym_lookup(path, elf, func, debug_dir ? debug_dir : DEBUG_DIR, &best, err))
			goto out;
		if (best.sym.st_size && off >= best.sym.st_size) {
			err_set(err, EXIT_USAGE, "offset %#llx is beyond '%s' (%llu bytes)",
				(unsigned long long)off, func, (unsigned long long)best.sym.st_size);
			err_hint(err, "give an offset inside the function ('objdump -d %s')", path);
			r = -ERANGE;
			goto out;
		}
		r = code_check(elf, path, func, &best, off, err);
		if (r)
			goto out;
		r = -1;
		vaddr = best.sym.st_value;
	}
	vaddr += off;
	if (vaddr_to_offset(elf, vaddr, file_off, &exec, NULL) || !exec ||
	    !elf_rawfile(elf, &raw_size) || *file_off >= raw_size) {
		err_set(err, EXIT_USAGE, "address %#llx of '%s' is not in the code of '%s'",
			(unsigned long long)vaddr, func, path);
		err_hint(err, "uprobes go on code: check the address with 'objdump -d %s'", path);
		goto out;
	}
	r = 0;
out:
	elf__close(elf);
	return r;
}

struct funcs_cb {
	void (*cb)(const char *name, void *arg);
	void *arg;
};

/* a defined function of a symbol table, through the shared scanner */
static int funcs_sym(void *ctx, const struct elf_sym *s)
{
	const struct funcs_cb *f = ctx;

	/* IFUNCs are left out: probe__elf_offset() refuses them */
	if (GELF_ST_TYPE(s->sym.st_info) == STT_FUNC)
		f->cb(s->name, f->arg);
	return 0;
}

int probe__funcs(const char *file, void (*cb)(const char *name, void *arg), void *arg,
		 struct err *err)
{
	struct funcs_cb fc = { cb, arg };
	char *path = probe__resolve_file(file, err);
	Elf *elf;

	if (!path)
		return -1;
	errno = 0;
	elf = elf__open(path);
	if (!elf) {
		err_set(err, EXIT_USAGE, "cannot read ELF file '%s': %s", path,
			errno ? strerror(errno) : elf_errmsg(-1));
		free(path);
		return -1;
	}
	elf__scan_tables(elf, funcs_sym, &fc);
	elf__close(elf);
	free(path);
	return 0;
}

/* -------------------------------------------------------------- defining */

/*
 * term_col - column in @ev->arg of the part of the probe name: 0 the FUNC,
 * 1 the FILE after '@', 2 the ARGS inside '('. Finds the text the parser
 * took, so quotes around the name or the file do not shift the caret.
 */
static int term_col(const struct evspec *ev, int part)
{
	const char *t = ev->arg + ev->col, *p = strchr(t, ':'), *q;

	if (!p)
		return ev->col;
	p++;
	if (*p == '"' || *p == '\'')
		p++;
	if (part == 0)
		return (int)(p - ev->arg);
	q = strchr(p, '@');
	if (part == 1)
		return q ? (int)(q + 1 - ev->arg) + (q[1] == '"' || q[1] == '\'') : (int)(p - ev->arg);
	for (q = strchr(p, '('); q; q = strchr(q + 1, '(')) {
		size_t n = strlen(ev->probe_args);

		if (!strncmp(q + 1, ev->probe_args, n) && q[1 + n] == ')')
			return (int)(q + 1 - ev->arg);
	}
	return (int)(p - ev->arg);
}

/* event_base - a C identifier from FUNC[+OFF] for the tracefs event name */
static void event_base(const struct evspec *ev, char *out, size_t size)
{
	size_t n = 0, max = size < EVENT_BASE_MAX + 1 ? size - 1 : EVENT_BASE_MAX;
	const char *p = ev->name;

	if (isdigit((unsigned char)*p))
		n = (size_t)snprintf(out, size, "p_");
	for (; *p && n < max; p++)
		out[n++] = isalnum((unsigned char)*p) ? *p : '_';
	out[n] = '\0';
	if (kind_is_ret(ev->kind))
		snprintf(out + n, size - n, "__return");
}

/* off_col - column of the OFF in FUNC+OFF (the FUNC when there is none) */
static int off_col(const struct evspec *ev)
{
	int col = term_col(ev, 0);
	const char *plus = strchr(ev->arg + col, '+');

	return plus ? (int)(plus + 1 - ev->arg) : col;
}

/*
 * ret_offset_refuse - a return probe goes on the entry only. It works by
 * swapping the return address at the top of the stack for a trampoline
 * when the function is entered; further in, the prologue has pushed other
 * words there, and the swapped word would be one of them: the function
 * would then restore a wrong register or return into the trampoline from
 * the wrong frame, and the traced program crashes.
 */
static int ret_offset_refuse(const struct evspec *ev, const char *func, struct err *err)
{
	const char *kind = evspec_kind_name(ev->kind);

	err_set(err, EXIT_USAGE, "a %s is only valid at a function's entry, not at an offset: "
		"'%s:%s'", kind, kind, ev->name);
	err_hint(err, "a return probe swaps the return address on the stack when the function "
		 "is entered; further in, the prologue has moved the stack and the program would "
		 "crash. Use %s:%s for the return, or %cprobe:%s for that point",
		 kind, func, kind[0], ev->name);
	evspec_caret(ev->arg, off_col(ev), err);
	return -1;
}

static int define_uprobe(const struct evspec *ev, const char *func, const char *debug_dir,
			 struct probe_def *def, struct err *err)
{
	int r;

	def->path = probe__resolve_file(ev->probe_file, err);
	if (!def->path) {
		evspec_caret(ev->arg, term_col(ev, 1), err);
		return -1;
	}
	r = probe__elf_offset(def->path, func, ev->probe_off, debug_dir, &def->offset, err);
	if (r) {
		evspec_caret(ev->arg, r == -ERANGE ? off_col(ev) : term_col(ev, 0), err);
		return -1;
	}
	def->place = xasprintf("%s:%#llx", def->path, (unsigned long long)def->offset);
	return 0;
}

static int define_kprobe(const struct evspec *ev, const char *func, struct probe_def *def,
			 struct err *err)
{
	bool addr = !strncmp(func, "0x", 2), unknown;
	struct ksyms *ks;

	/* only when kallsyms shows addresses (root) can it say a name is unknown */
	ks = addr ? NULL : ksyms__new();
	unknown = ks && ksyms__addr(ks, "_text") && !ksyms__addr(ks, func);
	ksyms__delete(ks);
	if (unknown) {
		err_set(err, EXIT_USAGE, "no kernel function '%s'", func);
		err_hint(err, "the functions a kprobe can use are in "
			 "/sys/kernel/tracing/available_filter_functions");
		evspec_caret(ev->arg, term_col(ev, 0), err);
		return -1;
	}
	if (ev->probe_off)
		def->place = xasprintf("%s+%llu", func, (unsigned long long)ev->probe_off);
	else
		def->place = xstrdup(func);
	return 0;
}

int probe__define(const struct evspec *ev, const char *debug_dir, struct probe_def *def,
		  struct err *err)
{
	char func[256];
	int errcol = 0, r;

	memset(def, 0, sizeof(*def));
	if (ev->kind == EVSPEC_TRACEPOINT) {
		err_set(err, EXIT_FAIL, "'%s' is not a probe", ev->text);
		return -1;
	}
	def->kernel = kind_is_kernel(ev->kind);
	def->ret = kind_is_ret(ev->kind);
	snprintf(func, sizeof(func), "%.*s", (int)strcspn(ev->name, "+"), ev->name);
	if (ev->probe_args) {
		if (probe__fetchargs(ev->kind, ev->probe_args, &def->args, &errcol, err)) {
			evspec_caret(ev->arg, term_col(ev, 2) + errcol, err);
			return -1;
		}
	} else {
		def->args = xstrdup("");
	}
	if (def->ret && ev->probe_off)
		return ret_offset_refuse(ev, func, err);
	if (def->kernel)
		r = define_kprobe(ev, func, def, err);
	else
		r = define_uprobe(ev, func, debug_dir, def, err);
	if (r)
		return -1;
	event_base(ev, def->event, sizeof(def->event));
	def->display = xasprintf("%s:%s", evspec_kind_name(ev->kind), ev->name);
	return 0;
}

void probe_def__free(struct probe_def *def)
{
	free(def->path);
	free(def->place);
	free(def->args);
	free(def->display);
	memset(def, 0, sizeof(*def));
}

/* ---------------------------------------------------------- stale, list */

/* dyn_parse - "p:GROUP/EVENT rest", "r10:GROUP/EVENT rest", "s:synthetic/x" */
bool dyn_parse(const char *line, struct dyn_line *d)
{
	const char *colon = strchr(line, ':'), *sp, *slash;

	if (!colon || !isalpha((unsigned char)line[0]))
		return false;
	sp = colon + strcspn(colon, " \t");
	slash = memchr(colon, '/', (size_t)(sp - colon));
	if (!slash)
		return false;
	d->type = line[0];
	snprintf(d->group, sizeof(d->group), "%.*s", (int)(slash - colon - 1), colon + 1);
	snprintf(d->event, sizeof(d->event), "%.*s", (int)(sp - slash - 1), slash + 1);
	d->rest = sp + strspn(sp, " \t");
	return true;
}

/* dyn_read - every definition line: dynamic_events, else the two probe files */
char *dyn_read(const char *root)
{
	char path[PATH_MAX], *a, *b, *all;

	snprintf(path, sizeof(path), "%s/dynamic_events", root);
	a = read_file(path, NULL);
	if (a)
		return a;
	snprintf(path, sizeof(path), "%s/uprobe_events", root);
	a = read_file(path, NULL);
	snprintf(path, sizeof(path), "%s/kprobe_events", root);
	b = read_file(path, NULL);
	all = xasprintf("%s%s", a ? a : "", b ? b : "");
	free(a);
	free(b);
	return all;
}

static const char *dyn_kind(const struct dyn_line *d)
{
	bool user = d->rest[0] == '/';

	switch (d->type) {
	case 'p':
		return user ? "uprobe" : "kprobe";
	case 'r':
		return user ? "uretprobe" : "kretprobe";
	case 'e':
		return "eprobe";
	case 'f':
		return "fprobe";
	case 't':
		return "tprobe";
	case 's':
		return "synthetic";
	default:
		return "dynamic";
	}
}

static bool list_match(const char *name, const char *pattern)
{
	if (!pattern || !*pattern)
		return true;
	if (strpbrk(pattern, "*?["))
		return !fnmatch(pattern, name, 0);
	return strstr(name, pattern) != NULL;
}

int probe__list(FILE *out, const char *pattern, struct err *err)
{
	const char *root = tracefs__root(err);
	char *all, *line, *save = NULL;
	int shown = 0;

	if (!root)
		return -1;
	all = dyn_read(root);
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct dyn_line d;
		char name[260];

		if (!dyn_parse(line, &d))
			continue;
		snprintf(name, sizeof(name), "%s:%s", d.group, d.event);
		if (!list_match(name, pattern))
			continue;
		fprintf(out, "%s %s %s\n", name, dyn_kind(&d), d.rest);
		shown++;
	}
	free(all);
	return shown;
}
