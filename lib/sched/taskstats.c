// SPDX-License-Identifier: GPL-2.0
/*
 * taskstats.c - the kernel's per-thread exit records (TASKSTATS, generic
 * netlink) through libnl-genl: register every possible CPU, read what is
 * queued without blocking, deregister at the end. The record's struct grows
 * with kernel versions (new fields appended): what the kernel sends is
 * copied over a zeroed struct of the size these headers know.
 */
#include <errno.h>
#include <linux/taskstats.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "taskstats.h"

struct tstats {
	struct nl_sock *sock;
	int family;
	char cpumask[32];
	u64 lost;
	tstats_cb cb;
	void *ctx;
	int n;
};

/* nl_err - a libnl error as -errno */
static int nl_err(int e)
{
	switch (-e) {
	case NLE_NOMEM:
		return -ENOBUFS;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	default:
		return -EIO;
	}
}

/* tstats__cmd - send TASKSTATS_CMD_GET with @attr = the CPU mask, and wait for the ack */
static int tstats__cmd(struct tstats *t, int attr, bool wait)
{
	struct nl_msg *msg = nlmsg_alloc();
	int err;

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, t->family, 0, 0, TASKSTATS_CMD_GET,
			 TASKSTATS_VERSION) ||
	    nla_put_string(msg, attr, t->cpumask) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = nl_send_auto(t->sock, msg);
	nlmsg_free(msg);
	if (err < 0)
		return nl_err(err);
	if (!wait)
		return 0;
	err = nl_wait_for_ack(t->sock);
	return err < 0 ? nl_err(err) : 0;
}

/* split - the run time @rtime split by the ticks' ratio, as the kernel's cputime_adjust() */
static void split(u64 rtime, u64 utime, u64 stime, u64 *u, u64 *s)
{
	if (!stime) {
		*u = rtime;
		*s = 0;
	} else if (!utime) {
		*u = 0;
		*s = rtime;
	} else {
		*s = (u64)((unsigned __int128)rtime * stime / (utime + stime));
		*u = rtime - *s;
	}
}

static void tstats__convert(const struct taskstats *ts, int tid, struct tstat_exit *e)
{
	u64 rtime = ts->cpu_run_virtual_total;	/* the scheduler's run time, ns */

	memset(e, 0, sizeof(*e));
	e->tid = tid;
	e->pid = (int)ts->ac_tgid;
	e->uid = ts->ac_uid;
	memcpy(e->comm, ts->ac_comm, sizeof(e->comm) - 1);
	if (!rtime)
		rtime = (ts->ac_utime + ts->ac_stime) * 1000;
	split(rtime, ts->ac_utime, ts->ac_stime, &e->utime, &e->stime);
	e->minflt = ts->ac_minflt;
	e->majflt = ts->ac_majflt;
	e->nvcsw = ts->nvcsw;
	e->nivcsw = ts->nivcsw;
	e->read_bytes = ts->read_bytes;
	e->write_bytes = ts->write_bytes;
	e->cancelled_write_bytes = ts->cancelled_write_bytes;
	e->run_delay = ts->cpu_delay_total;
	e->blkio_delay = ts->blkio_delay_total;
	e->hiwater_rss = ts->hiwater_rss;
	e->hiwater_vm = ts->hiwater_vm;
	e->etime = ts->ac_etime * 1000;
}

/* tstats__msg - one netlink message: a thread's record (and its process's, ignored) */
static int tstats__msg(struct nl_msg *msg, void *arg)
{
	struct tstats *t = arg;
	struct nlattr *a[TASKSTATS_TYPE_MAX + 1], *n[TASKSTATS_TYPE_MAX + 1];
	struct taskstats ts;
	struct tstat_exit e;
	int len;

	if (!t->cb)
		return NL_SKIP;	/* a record that came before the registration's ack */
	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, TASKSTATS_TYPE_MAX, NULL) < 0 ||
	    !a[TASKSTATS_TYPE_AGGR_PID] ||
	    nla_parse_nested(n, TASKSTATS_TYPE_MAX, a[TASKSTATS_TYPE_AGGR_PID], NULL) < 0 ||
	    !n[TASKSTATS_TYPE_PID] || !n[TASKSTATS_TYPE_STATS])
		return NL_SKIP;
	len = nla_len(n[TASKSTATS_TYPE_STATS]);
	if (len < (int)offsetof(struct taskstats, nivcsw) + 8)
		return NL_SKIP;	/* older than the fields read here */
	memset(&ts, 0, sizeof(ts));
	memcpy(&ts, nla_data(n[TASKSTATS_TYPE_STATS]), (size_t)len < sizeof(ts) ? (size_t)len : sizeof(ts));
	tstats__convert(&ts, (int)nla_get_u32(n[TASKSTATS_TYPE_PID]), &e);
	if (!e.pid)
		e.pid = e.tid;	/* ac_tgid came with version 12 */
	t->cb(t->ctx, &e);
	t->n++;
	return NL_OK;
}

int tstats__open(struct tstats **out, int rcvbuf)
{
	struct tstats *t = xzalloc(sizeof(*t));
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int err;

	if (rcvbuf <= 0)
		rcvbuf = 8 << 20;
	snprintf(t->cpumask, sizeof(t->cpumask), "0-%ld", ncpu > 0 ? ncpu - 1 : 0);
	t->sock = nl_socket_alloc();
	if (!t->sock) {
		free(t);
		return -ENOMEM;
	}
	err = genl_connect(t->sock);
	if (err < 0)
		goto fail;
	t->family = genl_ctrl_resolve(t->sock, TASKSTATS_GENL_NAME);
	if (t->family < 0) {
		err = -NLE_OBJ_NOTFOUND;
		goto fail;
	}
	/* exit records carry no sequence number of ours */
	nl_socket_disable_seq_check(t->sock);
	/* as root the buffer may pass rmem_max: records of a fork storm fit between reads */
	if (setsockopt(nl_socket_get_fd(t->sock), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		setsockopt(nl_socket_get_fd(t->sock), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	nl_socket_modify_cb(t->sock, NL_CB_VALID, NL_CB_CUSTOM, tstats__msg, t);
	err = tstats__cmd(t, TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, true);
	if (err) {
		nl_socket_free(t->sock);
		free(t);
		return err;
	}
	nl_socket_set_nonblocking(t->sock);
	*out = t;
	return 0;
fail:
	nl_socket_free(t->sock);
	free(t);
	return nl_err(err);
}

int tstats__read(struct tstats *t, tstats_cb cb, void *ctx)
{
	t->cb = cb;
	t->ctx = ctx;
	t->n = 0;
	for (;;) {
		int err = nl_recvmsgs_default(t->sock);

		if (err >= 0)
			continue;
		err = nl_err(err);
		if (err == -EAGAIN)
			break;
		if (err == -ENOBUFS) {
			/* the kernel dropped records: count it, the socket still works */
			t->lost++;
			continue;
		}
		return err;
	}
	return t->n;
}

u64 tstats__lost(const struct tstats *t)
{
	return t->lost;
}

void tstats__close(struct tstats *t)
{
	if (!t)
		return;
	/* no ack waited for: closing the socket ends the listening anyway */
	tstats__cmd(t, TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, false);
	nl_socket_free(t->sock);
	free(t);
}
