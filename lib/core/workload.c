// SPDX-License-Identifier: GPL-2.0
/*
 * workload.c - fork/hold/release/exec of the command after "--".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

static bool is_executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

int workload__check(char **argv, struct err *err)
{
	const char *cmd = argv[0], *path;
	char buf[4096];

	if (strchr(cmd, '/')) {
		if (is_executable(cmd))
			return 0;
		err_set(err, EXIT_USAGE, "cannot run '%s': %s", cmd,
			access(cmd, F_OK) ? "no such file" : "not an executable file");
		err_hint(err, "check the command after '--'");
		return -1;
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(n ? n : 1), n ? path : ".", cmd);
		if (is_executable(buf))
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	err_set(err, EXIT_USAGE, "cannot run '%s': command not found", cmd);
	err_hint(err, "check the command after '--' (searched in PATH)");
	return -1;
}

int workload__prepare(struct workload *w, char **argv, const void *sigmask, struct err *err)
{
	int go[2], st[2];

	memset(w, 0, sizeof(*w));
	w->pid = -1;
	if (pipe2(go, O_CLOEXEC) || pipe2(st, O_CLOEXEC))
		return err_set(err, EXIT_FAIL, "cannot create a pipe: %s", strerror(errno));
	w->pid = fork();
	if (w->pid < 0) {
		close(go[0]);
		close(go[1]);
		close(st[0]);
		close(st[1]);
		return err_set(err, EXIT_FAIL, "cannot fork the workload: %s", strerror(errno));
	}
	if (w->pid == 0) {
		char c;
		int e;

		close(go[1]);
		close(st[0]);
		/* die with perf-prof rather than run on untraced */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		sigprocmask(SIG_SETMASK, sigmask, NULL);
		signal(SIGPIPE, SIG_DFL);	/* perf-prof ignores it; the command must not */
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(st[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(st[1]);
	w->go_fd = go[1];
	w->status_fd = st[0];
	return 0;
}

int workload__start(struct workload *w, char **argv, struct err *err)
{
	int e = 0;
	ssize_t r;

	if (write(w->go_fd, "g", 1) != 1)
		return err_set(err, EXIT_FAIL, "cannot release the workload: %s", strerror(errno));
	close(w->go_fd);
	w->go_fd = -1;
	do
		r = read(w->status_fd, &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(w->status_fd);
	w->status_fd = -1;
	if (r == (ssize_t)sizeof(e)) {
		waitpid(w->pid, &w->exit_status, 0);
		w->reaped = true;
		err_set(err, EXIT_FAIL, "cannot run '%s': %s", argv[0], strerror(e));
		return -1;
	}
	return 0;
}

bool workload__reap(struct workload *w)
{
	if (w->pid <= 0 || w->reaped)
		return true;
	if (waitpid(w->pid, &w->exit_status, WNOHANG) == w->pid)
		w->reaped = true;
	return w->reaped;
}

void workload__kill(struct workload *w)
{
	if (w->pid <= 0 || w->reaped)
		return;
	kill(w->pid, SIGKILL);
	waitpid(w->pid, &w->exit_status, 0);
	w->reaped = true;
	if (w->go_fd >= 0)
		close(w->go_fd);
	if (w->status_fd >= 0)
		close(w->status_fd);
	w->go_fd = w->status_fd = -1;
}
