// SPDX-License-Identifier: GPL-2.0
/*
 * feature.c - can this kernel run perf-prof's BPF programs? Loads the probe
 * program (lib/bpf/probe.bpf.c, through its generated skeleton) once and
 * keeps the answer with the reason, in a sentence, when it cannot.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffilter.h"
#include "probe.skel.h"

static char probe_msg[256];	/* libbpf's last warning while captured */
static libbpf_print_fn_t print_before;

/* libbpf reports problems through a print callback: keep the last warning */
static int feature__print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN) {
		vsnprintf(probe_msg, sizeof(probe_msg), fmt, ap);
		probe_msg[strcspn(probe_msg, "\n")] = '\0';
	}
	return 0;
}

void bpf__capture(bool on)
{
	if (on) {
		probe_msg[0] = '\0';
		print_before = libbpf_set_print(feature__print);
	} else {
		libbpf_set_print(print_before);
	}
}

const char *bpf__warning(void)
{
	return probe_msg;
}

int bpf__probe(char *why, size_t whylen)
{
	static int result = 1;	/* 1: not probed yet */
	static char reason[320];
	struct pp_probe *skel;

	if (result == 1) {
		if (access("/sys/kernel/btf/vmlinux", R_OK)) {
			result = -ENOENT;
			snprintf(reason, sizeof(reason), "the kernel has no BTF "
				 "(/sys/kernel/btf/vmlinux: %s)", strerror(errno));
		} else {
			bpf__capture(true);
			skel = pp_probe__open_and_load();
			result = skel ? 0 : -errno;
			bpf__capture(false);
			pp_probe__destroy(skel);
			if (result)
				snprintf(reason, sizeof(reason), "the kernel cannot load a BPF "
					 "tracepoint program: %s", probe_msg[0] ? probe_msg :
					 strerror(-result));
		}
	}
	if (result)
		snprintf(why, whylen, "%s", reason);
	return result;
}

u64 bpf__misses(int prog_fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

u64 bpf__obj_misses(struct bpf_object *obj)
{
	struct bpf_program *p;
	u64 n = 0;

	bpf_object__for_each_program(p, obj)
		n += bpf__misses(bpf_program__fd(p));
	return n;
}
