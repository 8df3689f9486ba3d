/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - the front end's words that are not profilers: `perf-prof help
 * TOPIC` (the manual pages) and the hidden listings the bash completion
 * and the man page generator read (--list-funcs; --list-cmds and
 * --list-opts live with the tables in perf-prof.c).
 */
#ifndef PERF_PROF_CLI_H
#define PERF_PROF_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "util.h"

/**
 * help__page - the manual page perf-prof-@topic that belongs to this
 * binary: under <bindir>/../share/man (installed), <bindir>/build/man (the
 * build tree) or <bindir>/../man (a binary in build/san/), in man1/ then
 * man7/. Returns 0 with the path in @path, or -ENOENT.
 */
int help__page(const char *topic, char *path, size_t size);

/**
 * help__show - show the manual page perf-prof-@topic with man(1), as
 * `git help` does: the page help__page() finds (man -l), else the one man
 * finds on its own search path. Does not return when man runs.
 * Returns -1 with @err: EXIT_USAGE when there is no such page, EXIT_FAIL
 * when man cannot be run.
 */
int help__show(const char *topic, struct err *err);

/**
 * funcs_cli - `perf-prof --list-funcs FILE`: the functions of FILE a uprobe
 * can be put on (FILE as in uprobe:FUNC@FILE), sorted, one a line.
 * Returns the exit code.
 */
int funcs_cli(int argc, char **argv);

/**
 * lineout__open - a stream on @fd (stdio-buffered, @bufsize) that passes
 * only whole lines to write(2): the partial last line of a flush waits
 * for the next flush or fclose() (or goes out in pieces past 1 MiB), so
 * that a workload writing to the same file or pipe never splits a line.
 * NULL when out of memory.
 */
FILE *lineout__open(int fd, size_t bufsize);

/**
 * lineout__stdout - make stdout such a stream on fd 1 (for a stdout that
 * is not a terminal: a terminal is line-buffered already). 0 or -ENOMEM
 * (stdout is left as it was).
 */
int lineout__stdout(void);

#endif
