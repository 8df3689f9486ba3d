// SPDX-License-Identifier: GPL-2.0
/*
 * test-sched.c - lib/sched/schedev.c: sched_switch's prev_state decoded from
 * the format's print fmt, for the running kernel's layout (TASK_REPORT_MAX
 * computed in the print fmt, "I" for idle kernel threads) and for an old
 * one (a literal mask of 1024, K/W/x/P letters), with no kernel version
 * anywhere; and how a thread's first interval waits for its process.
 */
#include <traceevent/event-parse.h>

#include "harness.h"
#include "latency.h"
#include "schedev.h"
#include "tep.h"

#define SWITCH_FIELDS                                                                   \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"          \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"          \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"  \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"                    \
	"\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"                 \
	"\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"                     \
	"\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"                      \
	"\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"                    \
	"\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"                \
	"\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n"                     \
	"\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n"

/* 4.14 and later (here 6.x): TASK_REPORT_MAX is computed in the print fmt */
static const char fmt_new[] =
	"name: sched_switch\nID: 372\nformat:\n" SWITCH_FIELDS
	"\nprint fmt: \"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s "
	"next_pid=%d next_prio=%d\", REC->prev_comm, REC->prev_pid, REC->prev_prio, "
	"(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | "
	"0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & "
	"((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | "
	"0x00000020 | 0x00000040) + 1) << 1) - 1), \"|\", { 0x00000001, \"S\" }, { 0x00000002, "
	"\"D\" }, { 0x00000004, \"T\" }, { 0x00000008, \"t\" }, { 0x00000010, \"X\" }, { "
	"0x00000020, \"Z\" }, { 0x00000040, \"P\" }, { 0x00000080, \"I\" }) : \"R\", "
	"REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | "
	"0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? \"+\" : \"\", REC->next_comm, "
	"REC->next_pid, REC->next_prio\n";

/* 3.10 to 4.13: a literal TASK_STATE_MAX, more letters, no I */
static const char fmt_old[] =
	"name: sched_switch\nID: 273\nformat:\n" SWITCH_FIELDS
	"\nprint fmt: \"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s "
	"next_pid=%d next_prio=%d\", REC->prev_comm, REC->prev_pid, REC->prev_prio, "
	"REC->prev_state & (1024-1) ? __print_flags(REC->prev_state & (1024-1), \"|\", "
	"{ 1, \"S\"} , { 2, \"D\" }, { 4, \"T\" }, { 8, \"t\" }, { 16, \"Z\" }, { 32, \"X\" }, "
	"{ 64, \"x\" }, { 128, \"K\" }, { 256, \"W\" }, { 512, \"P\" }) : \"R\", "
	"REC->prev_state & 1024 ? \"+\" : \"\", REC->next_comm, REC->next_pid, REC->next_prio\n";

/* the handles of a test, freed at its end (a run frees its own likewise) */
static struct tep_handle *teps[4];
static int nr_teps;

static struct tep_event *parse(const char *fmt)
{
	struct tep_handle *tep = tep__new(NULL);
	struct tep_event *ev = NULL;

	teps[nr_teps++] = tep;
	if (tep_parse_format(tep, &ev, fmt, strlen(fmt), "sched"))
		return NULL;
	return ev;
}

static void parse_free(void)
{
	while (nr_teps)
		tep__delete(teps[--nr_teps]);
}

static const char *state_of(const struct sched_states *s, u64 v)
{
	return s->names[sched__state(s, v)];
}

TEST(sched_states_new_kernel)
{
	struct tep_event *ev = parse(fmt_new);
	struct sched_switch_fmt f;
	struct err err = { 0 };

	CHECK(ev != NULL);
	if (!ev) {
		parse_free();
		return;
	}
	CHECK_INT(sched_switch__init(&f, ev, &err), 0);
	CHECK_U64(f.states.preempt, 0x100);
	CHECK_U64(f.states.letters, 0xff);
	CHECK_STR(state_of(&f.states, 0), "R+");
	CHECK_STR(state_of(&f.states, 0x100), "R+");
	CHECK_STR(state_of(&f.states, 1), "S");
	CHECK_STR(state_of(&f.states, 2), "D");
	CHECK_STR(state_of(&f.states, 0x80), "I");
	CHECK_STR(state_of(&f.states, 0x10), "X");
	/* the lowest lettered bit names a combination */
	CHECK_STR(state_of(&f.states, 0x2 | 0x80), "D");
	CHECK_INT(sched__state_id(&f.states, "RD"), SCHED_WAIT);
	CHECK_INT(sched__state_id(&f.states, "K"), -1);
	CHECK_INT(f.prev_state.off, 32);
	CHECK_INT(f.prev_state.size, 8);
	CHECK_INT(f.next_pid.off, 56);
	parse_free();
}

/*
 * An old kernel: the whole bit-to-letter map, where the first test checks
 * samples of it. Each lettered bit gets a state of its own, in the order of
 * the bits, so ids follow the print fmt and not a table of ours.
 */
TEST(sched_states_old_kernel)
{
	static const char letters[] = "SDTtZXxKWP";
	struct tep_event *ev = parse(fmt_old);
	struct sched_switch_fmt f;
	struct err err = { 0 };

	CHECK(ev != NULL);
	if (!ev || sched_switch__init(&f, ev, &err)) {
		CHECK_STR(err.msg, "");
		parse_free();
		return;
	}
	CHECK_U64(f.states.preempt, 1024);
	CHECK_INT(f.states.nr, SCHED_LETTERS + (int)strlen(letters));
	for (unsigned b = 0; b < strlen(letters); b++) {
		const char want[2] = { letters[b], '\0' };

		CHECK_INT(f.states.by_bit[b], SCHED_LETTERS + (int)b);
		CHECK_STR(f.states.names[SCHED_LETTERS + b], want);
	}
	/* TASK_KILLABLE (D|K) is its lowest letter; R+ is a bit above the letters */
	CHECK_STR(state_of(&f.states, 128 | 2), "D");
	CHECK_STR(state_of(&f.states, 1024 | 1), "S");
	CHECK_INT(sched__state_id(&f.states, "I"), -1);
	parse_free();
}

/*
 * sched_owner: a new thread's first interval ends before its process is
 * known; it is held, then added to the process's row, once; per thread
 * nothing waits.
 */
TEST(sched_owner_holds_first_interval)
{
	struct lattab *tab = lattab__new(SCHED_LETTERS, true, 0);
	struct sched_owner o = { 0 }, t = { 0 };
	struct latrow **rows;
	size_t nr = 0;

	sched_owner__add(&o, tab, false, 101, SCHED_WAIT, 700);
	free(lattab__sorted(tab, false, &nr));
	CHECK_INT((int)nr, 0);
	sched_owner__learn(&o, tab, false, 101, 100);
	sched_owner__learn(&o, tab, false, 101, 100);	/* known: nothing held any more */
	sched_owner__add(&o, tab, false, 101, SCHED_WAIT, 300);
	sched_owner__add(&o, tab, false, 101, SCHED_RUN, 50);
	sched_owner__add(&t, tab, true, 102, SCHED_RUN, 9);	/* per thread: at once */
	rows = lattab__sorted(tab, false, &nr);
	CHECK_INT((int)nr, 3);
	if (nr == 3) {
		CHECK_INT(lattab__row_inst(tab, rows[0]), 100);
		CHECK_INT((int)lattab__row_id(tab, rows[0]), SCHED_RUN);
		CHECK_U64(rows[0]->st.count, 1);
		CHECK_INT(lattab__row_inst(tab, rows[1]), 100);
		CHECK_INT((int)lattab__row_id(tab, rows[1]), SCHED_WAIT);
		CHECK_U64(rows[1]->st.count, 2);
		CHECK_U64(rows[1]->st.sum_lo, 1000);
		CHECK_U64(rows[1]->st.min, 300);
		CHECK_INT(lattab__row_inst(tab, rows[2]), 102);
		CHECK_U64(rows[2]->st.sum_lo, 9);
	}
	CHECK_INT(t.pid, 0);
	free(rows);
	lattab__delete(tab);
}

TEST(sched_states_refused)
{
	static const char fmt_num[] =
		"name: sched_switch\nID: 5\nformat:\n" SWITCH_FIELDS
		"\nprint fmt: \"prev_pid=%d prev_state=%ld\", REC->prev_pid, REC->prev_state\n";
	static const char fmt_nofield[] =
		"name: sched_switch\nID: 6\nformat:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n"
		"\tfield:int prev_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\nprint fmt: \"prev_pid=%d\", REC->prev_pid\n";
	struct tep_event *ev = parse(fmt_num);
	struct sched_switch_fmt f;
	struct err err = { 0 };

	/* numbers, not letters: said, not guessed */
	CHECK(ev != NULL);
	CHECK_INT(ev ? sched_switch__init(&f, ev, &err) : -1, -1);
	CHECK_CONTAINS(err.msg, "cannot read the task states");
	ev = parse(fmt_nofield);
	err = (struct err){ 0 };
	CHECK_INT(ev ? sched_switch__init(&f, ev, &err) : -1, -1);
	CHECK_CONTAINS(err.msg, "no integer field 'prev_state'");
	parse_free();
}
