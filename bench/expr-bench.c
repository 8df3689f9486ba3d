// SPDX-License-Identifier: GPL-2.0
/*
 * expr-bench.c - micro-benchmark of expr_eval(): typical filters and keys
 * compiled against a sched_wakeup-like format, each evaluated 10M times over
 * four records that alternate between matching and not matching, next to a
 * hand-written C filter as the floor. Prints ns per evaluation; figures are
 * quoted in notes, never asserted.
 *
 *   gcc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude $(pkg-config --cflags libtraceevent) \
 *       bench/expr-bench.c lib/expr/expr.c lib/expr/vm.c lib/core/syscalls-x86_64.c lib/core/util.c \
 *       lib/core/comm.c lib/syms/ksyms.c $(pkg-config --libs libtraceevent) -o /tmp/expr-bench &&
 *   /tmp/expr-bench [loops]
 */
#include <stdlib.h>
#include <string.h>
#include <traceevent/event-parse.h>

#include "expr.h"

static const char fmt_wakeup[] =
	"name: sched_wakeup\nID: 10\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:int target_cpu;\toffset:32;\tsize:4;\tsigned:1;\n"
	"\nprint fmt: \"comm=%s pid=%d\", REC->comm, REC->pid\n";

#define NREC 4
static u8 recs[NREC][36];
static struct expr_ctx ctxs[NREC];
static volatile s64 sink;

static void records_fill(void)
{
	static const struct {
		const char *comm;
		int pid, prio, cpu;
	} r[NREC] = {
		{ "rcu_sched", 15, 120, 0 }, { "kworker/1:2", 4242, 100, 1 },
		{ "bash", 77, 119, 1 }, { "rcu_preempt", 16, 98, 0 },
	};

	for (int i = 0; i < NREC; i++) {
		strncpy((char *)recs[i] + 8, r[i].comm, 16);
		memcpy(recs[i] + 24, &r[i].pid, 4);
		memcpy(recs[i] + 28, &r[i].prio, 4);
		memcpy(recs[i] + 32, &r[i].cpu, 4);
		ctxs[i] = (struct expr_ctx){ .raw = recs[i], .raw_size = sizeof(recs[i]),
					     .cpu = r[i].cpu, .pid = r[i].pid, .tid = r[i].pid,
					     .time = 1000000ULL * i, .period = 1 };
	}
}

/* the floor: what a compiled-in filter costs */
static __attribute__((noinline)) int native_filter(const struct expr_ctx *ctx, s64 *out)
{
	int pid, prio;

	if (ctx->raw_size < 36)
		return -1;
	memcpy(&pid, (const u8 *)ctx->raw + 24, 4);
	memcpy(&prio, (const u8 *)ctx->raw + 28, 4);
	*out = pid > 100 && prio < 120;
	return 0;
}

static void bench_native(u64 loops)
{
	u64 t0 = now_ns();
	s64 v, acc = 0;

	for (u64 i = 0; i < loops; i++) {
		native_filter(&ctxs[i & (NREC - 1)], &v);
		acc += v;
	}
	sink = acc;
	printf("%-62s %6.2f ns/eval\n", "(hand-written C) pid > 100 && prio < 120",
	       (double)(now_ns() - t0) / (double)loops);
}

static void bench_expr(struct tep_event *tp, const char *src, u64 loops)
{
	struct err err;
	struct expr *e = expr_compile(src, tp, &err);
	const char *s;
	size_t len;
	s64 v, acc = 0;
	u64 t0;

	if (!e) {
		err_print(&err, "expr-bench");
		exit(EXIT_FAIL);
	}
	t0 = now_ns();
	if (expr_result_type(e) == EXPR_STR) {
		for (u64 i = 0; i < loops; i++) {
			expr_eval_str(e, &ctxs[i & (NREC - 1)], &s, &len);
			acc += len;
		}
	} else {
		for (u64 i = 0; i < loops; i++) {
			expr_eval(e, &ctxs[i & (NREC - 1)], &v);
			acc += v;
		}
	}
	sink = acc;
	printf("%-62s %6.2f ns/eval\n", src, (double)(now_ns() - t0) / (double)loops);
	expr_free(e);
}

int main(int argc, char **argv)
{
	static const char *const progs[] = {
		"pid > 100 && prio < 120",
		"comm == \"rcu_sched\"",
		"comm ~ \"rcu*\" && prio < 120",
		"comm ~ \"kworker/*\"",
		"(_cpu << 32) | target_cpu",
		"_time / 1000",
		"pid > 100 && prio < 120 && target_cpu == 1 || comm ~ \"rcu_*\"",
		"prio < 100 ? \"HIGH\" : \"LOW\"",
		"comm[0] == 'r' && strlen(comm) > 8",
	};
	struct tep_handle *tep = tep_alloc();
	struct tep_event *tp = NULL;
	u64 loops = argc > 1 ? strtoull(argv[1], NULL, 0) : 10000000;

	if (tep_parse_format(tep, &tp, fmt_wakeup, strlen(fmt_wakeup), "sched")) {
		fprintf(stderr, "expr-bench: cannot parse the format\n");
		return EXIT_FAIL;
	}
	records_fill();
	printf("%llu evaluations each, %d records in turn\n", (unsigned long long)loops, NREC);
	bench_native(loops);
	for (size_t i = 0; i < ARRAY_SIZE(progs); i++)
		bench_expr(tp, progs[i], loops);
	tep_free(tep);
	return 0;
}
