// SPDX-License-Identifier: GPL-2.0
/*
 * help.c - `perf-prof help TOPIC`: find the manual page perf-prof-TOPIC
 * and hand it to man(1), the way `git help` does. The page next to the
 * binary wins over one man would find on its own, so a binary run from
 * the build tree shows the pages built with it, not an older install.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

/* topics are page-name parts: anything else cannot name a page */
static bool topic_valid(const char *topic)
{
	if (!*topic || strlen(topic) > 64)
		return false;
	for (const char *c = topic; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return false;
	return true;
}

static int exe_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	char *slash;

	if (n <= 0)
		return -errno;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	return 0;
}

int help__page(const char *topic, char *path, size_t size)
{
	/* relative to the binary's directory; see cli.h */
	static const char *const mandirs[] = { "../share/man", "build/man", "../man" };
	static const char sections[] = "17";
	char dir[PATH_MAX];

	if (!topic_valid(topic) || exe_dir(dir, sizeof(dir)))
		return -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(mandirs); i++) {
		for (const char *s = sections; *s; s++) {
			int n = snprintf(path, size, "%s/%s/man%c/perf-prof-%s.%c", dir, mandirs[i], *s,
					 topic, *s);

			if (n > 0 && (size_t)n < size && !access(path, R_OK))
				return 0;
		}
	}
	return -ENOENT;
}

/* man_knows - whether `man -w PAGE` finds it on man's own search path */
static bool man_knows(const char *page)
{
	char *argv[] = { "man", "-w", (char *)page, NULL };
	posix_spawn_file_actions_t fa;
	int status, rc;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa))
		return false;
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, "man", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return false;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int help__show(const char *topic, struct err *err)
{
	char path[PATH_MAX], page[96];

	if (!topic_valid(topic))
		goto unknown;
	snprintf(page, sizeof(page), "perf-prof-%s", topic);
	fflush(stdout);
	if (!help__page(topic, path, sizeof(path)))
		execlp("man", "man", "-l", path, (char *)NULL);
	else if (man_knows(page))
		execlp("man", "man", page, (char *)NULL);
	else
		goto unknown;
	err_set(err, EXIT_FAIL, "cannot run man for '%s': %s", page, strerror(errno));
	err_hint(err, "install man-db, or read the page's source in Documentation/");
	return -1;
unknown:
	err_set(err, EXIT_USAGE, "no manual page for '%s'", topic);
	err_hint(err, "'perf-prof -h' lists the profilers, 'man -k perf-prof' the pages");
	return -1;
}
