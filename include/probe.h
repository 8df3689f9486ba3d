/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probe.h - uprobe/uretprobe/kprobe/kretprobe selectors made into tracefs
 * dynamic events for the length of one run.
 *
 * A probe term (uprobe:FUNC[+OFF]@FILE[(ARGS)], ...) is resolved here: FILE
 * to a real path (a path, a library name such as "libc", or a program in
 * $PATH), FUNC to a file offset through the ELF symbol tables (separate
 * debuginfo when the file is stripped), ARGS to kernel fetch arguments. The
 * definition is written to uprobe_events/kprobe_events in a group named
 * after this process (pp_<pid>), and the term is rewritten to that
 * GROUP:EVENT, so the rest of the pipeline treats it as a tracepoint whose
 * format has the fetched arguments as typed fields.
 *
 * The probes a run creates belong to its registry (struct probes) and are
 * removed by probes__delete(), and from any exit path: exit(), fatal
 * signals. Probes of runs killed with SIGKILL are removed by the next run.
 *
 * ARGS (see Documentation/probes.md):
 *   ARGS  := ARG[,ARG]...
 *   ARG   := [NAME=]FETCH[:TYPE]
 *   FETCH := argN (1..6) | $retval | retval | %REG | $comm | $stack | $stackN
 *          | @0xADDR | @+OFF (uprobes) | @SYM[+|-OFF] (kprobes) | [+|-][u]OFF(FETCH)
 *   TYPE  := u8..u64 | s8..s64 | x8..x64 | string | ustring | char | symbol,
 *            integer types optionally followed by [N] (an array)
 */
#ifndef PERF_PROF_PROBE_H
#define PERF_PROF_PROBE_H

#include <stdio.h>

#include "evspec.h"

/**
 * struct probe_def - what a probe term becomes, before it is written.
 * @kernel:  a kprobe/kretprobe (kprobe_events), else a uprobe (uprobe_events)
 * @ret:     a return probe (uretprobe/kretprobe: an "r:" definition)
 * @event:   event name derived from FUNC (C identifier, unique per run only
 *           after probes__create())
 * @path:    uprobes: the resolved file, NULL for kprobes
 * @offset:  uprobes: file offset of FUNC+OFF
 * @place:   the kernel's place text: "PATH:0xOFF" or "FUNC[+OFF]"
 * @args:    the kernel's fetch arguments ("size=%di:u64 ..."), "" when none
 * @display: how reports name the event: "uprobe:malloc", "kretprobe:f+0x10"
 */
struct probe_def {
	bool kernel;
	bool ret;
	char event[64];
	char *path;
	u64 offset;
	char *place;
	char *args;
	char *display;
};

/*
 * struct probes - the probes of one run (a registry). Several may live in
 * one process (the daemon); each has its own tracefs group, pp_<pid> or
 * pp_<pid>_<n>, and removes only its own probes. While a registry has a
 * group it holds a flock on /run/perf-prof/<group>.lock (PERF_PROF_RUNDIR
 * overrides the directory): that lock is how other runs know the group is
 * alive.
 */
struct probes;

/**
 * probes__new - an empty registry for a run; touches nothing in tracefs.
 * @note: where the notes of probes__reap() go (the run's diagnostics),
 *        NULL for silence
 * Returns NULL with @err when the process has too many live registries.
 */
struct probes *probes__new(FILE *note, struct err *err);

/**
 * probes__create - make the dynamic event for the probe term @ev in @p.
 * @ev:  a term of kind EVSPEC_UPROBE, _URETPROBE, _KPROBE or _KRETPROBE
 * @err: filled on failure; EXIT_USAGE for a term that cannot be resolved
 *       (unknown file or function, bad ARGS, an offset inside an instruction
 *       or on a return probe, with a caret under the column), EXIT_FAIL when
 *       the kernel cannot do it (no kprobe_events in this kernel, tracefs
 *       refused the definition: the kernel's reason is in the detail)
 *
 * On success @ev->sys and @ev->name are replaced by the GROUP and EVENT to
 * load like a tracepoint, and @ev->display is set ("uprobe:FUNC") when it
 * was NULL and the term has no alias. A term whose definition equals an
 * earlier one of @p shares its event. The first call takes the group's
 * lock, removes probes left by runs that are gone (probes__reap(), notes to
 * the registry's note stream) and arranges for every registry's probes to be removed at exit
 * and on each signal whose default action ends the process, while that is
 * still its disposition (signals the session blocks for its signalfd are
 * the session's); the process then dies of the signal as it would have.
 *
 * Returns 0, or -1 with @err set and nothing created for @ev.
 */
int probes__create(struct probes *p, struct evspec *ev, struct err *err);

/**
 * probes__delete - remove @p's probes and free it (NULL: nothing).
 *
 * The kernel refuses to remove an event that a perf fd still uses (EBUSY):
 * close the events first. Probes still busy stay registered, and @p stays
 * listed for the exit/signal cleanup (which, if they are still busy then,
 * leaves a helper process to remove them once this process is gone); @p
 * must not be used again either way. Returns the number of probes that
 * could not be removed now (0 when clean).
 */
int probes__delete(struct probes *p);

/**
 * probes__cleanup - remove @p's probes now, keeping @p. Async-signal-safe
 * (open/write/close of precomputed text); in a forked child it does
 * nothing. Returns the number of probes still busy.
 */
int probes__cleanup(struct probes *p);

/**
 * probes__cleanup_all - probes__cleanup() of every registry of this
 * process: what exit and the fatal signals run. Async-signal-safe.
 */
int probes__cleanup_all(void);

/* probes__group - the registry's tracefs group, "" before its first probe */
const char *probes__group(const struct probes *p);

/**
 * probes__reap - once per registry (probes__create() calls it first):
 * probe__reap_stale() with notes to @p's note stream, except that in @p's
 * own group (a name a dead run of our pid may have used) whatever @p did
 * not create is a leftover. Returns what probe__reap_stale() does, 0 after
 * the first call. A run without probes calls probe__reap_stale() itself.
 */
int probes__reap(struct probes *p);

/**
 * probe__reap_stale - remove the dynamic events of pp_<pid>[_<n>] groups
 * whose run is gone: nobody holds the group's lock file (it is then
 * removed too); for a group without a lock file (made by an older
 * perf-prof), its pid is not running. A live run is never judged gone:
 * neither a renamed binary nor valgrind nor pid reuse can fool the lock.
 * Lock files of runs that died before making a probe are removed as well.
 * @note: where to write one line per removed event, NULL for silence
 * @err:  filled when tracefs cannot be read
 *
 * Events still in use (EBUSY) are left alone. Returns the number of events
 * removed (>= 0), or -1 with @err.
 */
int probe__reap_stale(FILE *note, struct err *err);

/**
 * probe__list - print the dynamic events (probes) that exist now, ours and
 * anyone's, one per line: "GROUP:EVENT KIND PLACE [ARGS]", KIND being
 * uprobe, uretprobe, kprobe, kretprobe, eprobe, fprobe, tprobe or synthetic.
 * @out:     the stream
 * @pattern: NULL for all; with * ? [ a glob over GROUP:EVENT, else a
 *           substring of it
 * @err:     filled when tracefs cannot be read
 *
 * Returns the number of lines printed (>= 0), or -1 with @err.
 */
int probe__list(FILE *out, const char *pattern, struct err *err);

/*
 * The steps of probes__create() that need no kernel, exposed for the unit
 * tests and for `help`-style previews.
 */

/**
 * probe__define - resolve the term @ev into @def without touching tracefs.
 * @debug_dir: root of separate debuginfo (NULL: /usr/lib/debug)
 * Returns 0, or -1 with @err (EXIT_USAGE, caret under the column for ARGS).
 * Release @def with probe_def__free() either way.
 */
int probe__define(const struct evspec *ev, const char *debug_dir, struct probe_def *def,
		  struct err *err);

/* probe_def__free - release what probe__define() allocated in @def */
void probe_def__free(struct probe_def *def);

/**
 * probe__fetchargs - translate the ARGS text of a probe of @kind into the
 * kernel's "NAME=FETCH:TYPE ..." form (malloc'ed in *@out).
 * @errcol: on failure, the 0-based offset into @args where the error is
 *
 * Returns 0, or -1 with @err (EXIT_USAGE) and *@errcol set.
 */
int probe__fetchargs(enum evspec_kind kind, const char *args, char **out, int *errcol,
		     struct err *err);

/**
 * probe__resolve_file - the real path of a uprobe FILE: a path (with '/'),
 * a file in the current directory, a library name ("libc", "libssl",
 * "libz.so.1": the 64-bit one in /etc/ld.so.cache, else in the standard
 * library directories), or a program in $PATH. The file must be an ELF.
 * Returns a malloc'ed path, or NULL with @err (EXIT_USAGE).
 */
char *probe__resolve_file(const char *file, struct err *err);

/**
 * probe__elf_offset - file offset of @func + @off in the ELF @path, for a
 * uprobe. @func is a symbol (.symtab, .dynsym, or the .symtab of separate
 * debuginfo found by build-id under @debug_dir or by .gnu_debuglink) or a
 * virtual address written 0xHEX. Among symbols of one name a global beats a
 * weak beats a local, and the default version beats other versions.
 * With a symbol, @off must be inside the function (its ELF size) and, on
 * x86_64, the start of one of its instructions (probe__insn_check() over
 * the file's bytes of the function).
 * Returns 0 with *@file_off, or with @err (EXIT_USAGE) -ERANGE when @off is
 * the problem and -1 for anything else (file, symbol, address).
 */
int probe__elf_offset(const char *path, const char *func, u64 off, const char *debug_dir,
		      u64 *file_off, struct err *err);

/**
 * probe__funcs - call @cb with each function of @file a uprobe can be put
 * on: @file is resolved as probe__resolve_file() does, the names are the
 * defined STT_FUNC symbols of its .symtab and .dynsym, in table order and
 * possibly repeated (IFUNCs are left out: probes refuse them). For command
 * line completion. Returns 0, or -1 with @err (EXIT_USAGE).
 */
int probe__funcs(const char *file, void (*cb)(const char *name, void *arg), void *arg,
		 struct err *err);

/**
 * probe__insn_check - whether @off starts an instruction of @code, the
 * @size bytes of a function from its entry (decoded with capstone).
 * @near: filled (when not NULL) with the instruction starts nearest @off,
 *        "+0x0 +0x3 ...", for the error's hint
 *
 * Returns 0 when it does; -EINVAL when @off is inside an instruction;
 * -ENOEXEC when bytes before @off do not decode; -ERANGE when @off >= @size;
 * -ENOTSUP on an architecture the check does not cover (x86_64 only);
 * -ELIBACC when capstone (opened at the first call) cannot be loaded;
 * -ENOMEM.
 */
int probe__insn_check(const u8 *code, size_t size, u64 off, char *near, size_t near_size);

/* probe__insn_lib_error - why capstone could not be loaded (after -ELIBACC) */
const char *probe__insn_lib_error(void);

#endif
