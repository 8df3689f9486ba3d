// SPDX-License-Identifier: GPL-2.0
/*
 * filter.c - filters that run in the kernel (see bpffilter.h). One program
 * per filtered event: the expression compiled by lib/bpf/expr.c, then an
 * epilogue that counts what happened in a per-CPU array (accepted,
 * rejected, errors, undecided) and returns non-zero to keep the record.
 *
 * A tracepoint's BPF programs hang off the tracepoint, not off one perf
 * event: the kernel runs them before it writes the record to any ring, and
 * a zero from any of them drops the record for every perf event of that
 * tracepoint. So the program is attached once, through an anchor: a
 * disabled perf event of the tracepoint that the filter owns (bpf__anchor(),
 * shared with lib/bpf/agg.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../core/evcore.h"
#include "bpffilter.h"
#include "evspec.h"
#include "expr.h"
#include "gen.h"

struct bpf_filter {
	int prog_fd;
	int stats_fd;
	int anchor_fd;	/* the perf event holding the program on the tracepoint */
	int insns;
	bool exact;
	bool test;
};

#define STATS_SIZE (BPFGEN_NR_OUTCOMES * sizeof(u64))

/*
 * filter_epilogue - r9 = the outcome; count it; return 0 for rejected
 * records, 1 for the others. A record on which the expression failed goes
 * on to the user-space filter like an undecided one: that counts the error
 * for the run's own tasks, exactly as without BPF, whereas the program sees
 * every task's records.
 */
static void filter_epilogue(struct bpfgen *g, int stats_fd, int err, int undecided)
{
	int tail = bpfgen__label(g), out = bpfgen__label(g), keep = bpfgen__label(g);
	int key = bpfgen__stack(g, 8);
	bool test = g->env == BPFGEN_TEST;
	s16 result = (s16)(BPFGEN_TRAILER + offsetof(struct bpfgen_trailer, result));
	s16 outcome = (s16)(BPFGEN_TRAILER + offsetof(struct bpfgen_trailer, outcome));

	/* computed: r7 holds the value */
	if (test)
		bpfgen__emit(g, insn__stx(BPF_DW, R6, R7, result));
	bpfgen__emit(g, insn__mov_imm(R9, BPFGEN_ACCEPTED));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JNE, R7, 0), tail);
	bpfgen__emit(g, insn__mov_imm(R9, BPFGEN_REJECTED));
	/* the verifier refuses code that no jump reaches */
	if (bpfgen__used(g, err)) {
		bpfgen__ja(g, tail);
		bpfgen__bind(g, err);
		bpfgen__emit(g, insn__mov_imm(R9, BPFGEN_ERROR));
	}
	if (bpfgen__used(g, undecided)) {
		bpfgen__ja(g, tail);
		bpfgen__bind(g, undecided);
		bpfgen__emit(g, insn__mov_imm(R9, BPFGEN_UNDECIDED));
	}
	bpfgen__bind(g, tail);
	if (test)
		bpfgen__emit(g, insn__stx(BPF_DW, R6, R9, outcome));
	bpfgen__emit(g, insn__st(BPF_W, FP, (s16)key, 0));
	bpfgen__ld_map(g, R1, stats_fd);
	bpfgen__emit(g, insn__mov_reg(R2, FP));
	bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R2, key));
	bpfgen__emit(g, insn__call(BPF_FUNC_map_lookup_elem));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R0, 0), out);
	bpfgen__emit(g, insn__mov_reg(R1, R9));
	bpfgen__emit(g, insn__alu64_imm(BPF_LSH, R1, 3));
	bpfgen__emit(g, insn__alu64_reg(BPF_ADD, R0, R1));
	bpfgen__emit(g, insn__ldx(BPF_DW, R1, R0, 0));
	bpfgen__emit(g, insn__alu64_imm(BPF_ADD, R1, 1));
	bpfgen__emit(g, insn__stx(BPF_DW, R0, R1, 0));
	bpfgen__bind(g, out);
	bpfgen__emit(g, insn__mov_imm(R0, 0));
	bpfgen__jmp(g, insn__jmp_imm(BPF_JEQ, R9, BPFGEN_REJECTED), keep);
	bpfgen__emit(g, insn__mov_imm(R0, 1));
	bpfgen__bind(g, keep);
	bpfgen__emit(g, insn__exit());
}

static int filter_build(const struct expr *e, u32 tp_id, bool test, struct bpf_filter **out,
			char *why, size_t whylen)
{
	struct bpf_filter *f = xzalloc(sizeof(*f));
	struct bpfgen g;
	int err, undecided, r;

	f->prog_fd = -1;
	f->anchor_fd = -1;
	f->test = test;
	f->stats_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "pp_filter_stats", 4, STATS_SIZE,
				     1, NULL);
	if (f->stats_fd < 0) {
		r = f->stats_fd;
		snprintf(why, whylen, "cannot create a BPF map: %s", strerror(-r));
		goto fail;
	}
	bpfgen__init(&g, test ? BPFGEN_TEST : BPFGEN_TRACEPOINT, tp_id);
	err = bpfgen__label(&g);
	undecided = bpfgen__label(&g);
	bpfgen__emit(&g, insn__mov_reg(R6, R1));
	r = bpfgen__expr(&g, e, R7, err, undecided);
	/* what the program passes on undecided, the user-space filter decides */
	f->exact = !g.inexact && !bpfgen__used(&g, err);
	if (!r)
		filter_epilogue(&g, f->stats_fd, err, undecided);
	f->insns = g.n;
	r = bpfgen__load(&g, test ? BPF_PROG_TYPE_SYSCALL : BPF_PROG_TYPE_TRACEPOINT, "pp_filter",
			 test ? BPF_F_SLEEPABLE : 0, why, whylen);
	bpfgen__release(&g);
	if (r < 0)
		goto fail;
	f->prog_fd = r;
	*out = f;
	return 0;
fail:
	bpf_filter__delete(f);
	return r;
}

int bpf_filter__new(const struct expr *e, u32 tp_id, struct bpf_filter **out, char *why,
		    size_t whylen)
{
	return filter_build(e, tp_id, false, out, why, whylen);
}

int bpf_filter__new_test(const struct expr *e, u32 tp_id, struct bpf_filter **out, char *why,
			 size_t whylen)
{
	return filter_build(e, tp_id, true, out, why, whylen);
}

int bpf_filter__test_run(struct bpf_filter *f, const void *rec, u32 size, int cpu, int pid,
			 int tid, u64 time, u64 *value, int *outcome, int *keep)
{
	struct bpfgen_trailer t = {
		.cpu = cpu, .pid = pid, .tid = tid, .time = time, .outcome = ~0ULL,
	};
	u32 ret;
	int r;

	if (!f->test)
		return -EINVAL;
	r = bpfgen__test_run(f->prog_fd, rec, size, &t, &ret);
	if (!r) {
		*value = t.result;
		*outcome = (int)t.outcome;
		*keep = (int)ret;
	}
	return r;
}

bool bpf_filter__exact(const struct bpf_filter *f)
{
	return f->exact;
}

int bpf_filter__fd(const struct bpf_filter *f)
{
	return f->prog_fd;
}

int bpf_filter__insns(const struct bpf_filter *f)
{
	return f->insns;
}

int bpf_filter__stats(const struct bpf_filter *f, struct bpf_filter_stats *st)
{
	int ncpus = libbpf_num_possible_cpus();
	u32 key = 0;
	u64 *v;
	int r;

	memset(st, 0, sizeof(*st));
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = xzalloc((size_t)ncpus * STATS_SIZE);
	r = bpf_map_lookup_elem(f->stats_fd, &key, v);
	for (int c = 0; !r && c < ncpus; c++) {
		const u64 *s = v + (size_t)c * BPFGEN_NR_OUTCOMES;

		st->accepted += s[BPFGEN_ACCEPTED];
		st->rejected += s[BPFGEN_REJECTED];
		st->errors += s[BPFGEN_ERROR];
		st->undecided += s[BPFGEN_UNDECIDED];
	}
	free(v);
	if (r)
		return -errno;
	st->missed = bpf__misses(bpf_filter__fd(f));
	return 0;
}

void bpf_filter__delete(struct bpf_filter *f)
{
	if (!f)
		return;
	if (f->anchor_fd >= 0)
		close(f->anchor_fd);	/* detaches the program */
	if (f->prog_fd >= 0)
		close(f->prog_fd);
	if (f->stats_fd >= 0)
		close(f->stats_fd);
	free(f);
}

int bpf__anchor(u64 tp_id, int prog_fd)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_TRACEPOINT, .size = sizeof(a), .config = tp_id, .disabled = 1,
	};
	int fd = -1, ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);

	/* any one CPU will do (the program runs on all): the first online one */
	for (int cpu = 0; fd < 0 && cpu < ncpus; cpu++)
		fd = (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int bpf_filter__attach_ev(struct evspec *ev, struct evspec *const *evs, int n, struct err *err)
{
	struct bpf_filter *f = NULL;
	struct err xerr = { 0 };
	struct expr *e;
	char why[512];
	int r;

	if (ev->kind != EVSPEC_TRACEPOINT) {
		err_set(err, EXIT_USAGE, "'%s' is a probe, whose BPF programs see registers, not "
			"the record", ev->display);
		return -EOPNOTSUPP;
	}
	for (int i = 0; i < n; i++) {
		if (evs[i] != ev && evcore(evs[i])->config == evcore(ev)->config) {
			err_set(err, EXIT_USAGE, "'%s' is opened more than once in this run, and the "
				"kernel would run a BPF filter for all of them", ev->display);
			return -EOPNOTSUPP;
		}
	}
	if (bpf__probe(why, sizeof(why))) {
		err_set(err, EXIT_FAIL, "BPF is not available: %s", why);
		return -EOPNOTSUPP;
	}
	e = expr_compile(ev->filter, ev->tp, &xerr);
	if (!e) {
		*err = xerr;
		return -EINVAL;
	}
	r = bpf_filter__new(e, (u32)evcore(ev)->config, &f, why, sizeof(why));
	expr_free(e);
	if (r) {
		err_set(err, r == -EOPNOTSUPP ? EXIT_USAGE : EXIT_FAIL, "filter '%s' on '%s' cannot "
			"run as a BPF program: %s", ev->filter, ev->display, why);
		return r;
	}
	r = bpf__anchor(evcore(ev)->config, f->prog_fd);
	if (r >= 0)
		f->anchor_fd = r;
	if (r < 0) {
		err_set(err, EXIT_FAIL, "cannot attach a BPF filter to '%s': %s", ev->display,
			strerror(-r));
		bpf_filter__delete(f);
		return r;
	}
	evcore(ev)->kfilter = f;
	return 0;
}

void bpf_filter__report(const struct evspec *ev, FILE *out)
{
	struct bpf_filter_stats st;

	if (!evcore(ev)->kfilter || bpf_filter__stats(evcore(ev)->kfilter, &st))
		return;
	fprintf(out, "  bpf filter on '%s': %llu accepted, %llu rejected, %llu errors, "
		"%llu undecided, %llu missed (every task's records)\n", ev->display,
		(unsigned long long)st.accepted, (unsigned long long)st.rejected,
		(unsigned long long)st.errors, (unsigned long long)st.undecided,
		(unsigned long long)st.missed);
}

void bpf_filter__report_missed(const struct evspec *ev, const char *name, FILE *out)
{
	struct bpf_filter_stats st;

	if (!evcore(ev)->kfilter || bpf_filter__stats(evcore(ev)->kfilter, &st) || !st.missed)
		return;
	fprintf(out, "perf-prof %s: %llu events of '%s' not delivered in this run: the kernel "
		"skipped its BPF filter while another BPF program or a bpf() map operation held "
		"the CPU, and dropped them, for every perf user of the tracepoint (counted on "
		"every CPU: some may be events this run did not follow; --no-bpf filters in user "
		"space)\n", name, (unsigned long long)st.missed, ev->display);
}
