# SPDX-License-Identifier: GPL-2.0
#
# perf-prof build. One file: dependency check, libperf built from Debian's
# linux-source-6.1 into build/, objects under build/, tests.
#
#   make              install missing deps (as root), build ./perf-prof
#   make test         build and run every test layer
#   make test SAN=1   the same with ASan + UBSan (objects in build/san/)
#   make V=1          show the commands
#   make fuzz         run the libFuzzer harnesses (FUZZ_SECONDS each, default 60)
#   make man          the man pages, from Documentation/*.md, into build/man
#   make install      install (PREFIX=/usr/local, DESTDIR=, bindir, mandir,
#                     docdir, bashcompdir); make uninstall removes it again
#   make clean        remove build output (keeps the extracted kernel tools)
#   make distclean    remove build/ entirely

CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= $(firstword $(wildcard /usr/sbin/bpftool /usr/bin/bpftool) bpftool)
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

BUILD     := build
KSRC_TAR  := /usr/src/linux-source-6.1.tar.xz
KDIR      := $(BUILD)/linux
LIBPERF   := $(KDIR)/tools/lib/perf/libperf.a
LIBAPI    := $(KDIR)/tools/lib/api/libapi.a
KSTAMP    := $(KDIR)/.extracted

ifeq ($(SAN),1)
OBJDIR    := $(BUILD)/san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
BIN       := $(OBJDIR)/perf-prof
else
OBJDIR    := $(BUILD)/obj
SANFLAGS  :=
BIN       := perf-prof
endif

PKGS      := libtraceevent libtracefs libelf libdw libbpf capstone libprotobuf-c zlib libmicrohttpd libcjson \
             libnl-genl-3.0

# pkg-config is asked when a recipe first needs the answer, never while the
# Makefile is parsed: on a fresh machine the -dev packages (and their .pc
# files) only exist once the deps step below has run. `lazy` evaluates its
# shell command once, on first use, and keeps the result.
lazy = $(eval $(1) := $$(shell $(2)))$($(1))
PKG_CFLAGS = $(call lazy,PKG_CFLAGS,$(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# capstone is dlopen()ed when a probe offset is checked (lib/probe/insn.c), and
# libmicrohttpd when the daemon serves HTTP (daemon/http.c): headers only
PKG_LIBS   = $(call lazy,PKG_LIBS,$(PKG_CONFIG) --libs $(filter-out capstone libmicrohttpd,$(PKGS)) 2>/dev/null)
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 \
             -Wno-format-nonliteral -Wstrict-prototypes -Wmissing-prototypes
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(CFLAGS) $(WARN) $(SANFLAGS) -D_GNU_SOURCE \
             -DPERF_PROF_VERSION='"$(VERSION)"' -Iinclude -I$(OBJDIR) -I$(BPFDIR) -I$(GENDIR) \
             -I$(KDIR)/tools/lib/perf/include \
             $(PKG_CFLAGS)
LDLIBS     = $(LIBPERF) $(LIBAPI) $(PKG_LIBS) \
             -liberty -lz -lpthread -lm -ldl
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -rdynamic

LIB_SRC   := $(sort $(filter-out %.bpf.c,$(wildcard lib/*/*.c)))
MON_SRC   := $(sort $(wildcard monitors/*.c))
# Code generated at build time (never committed): protoc-c's pprof messages.
GENDIR    := $(OBJDIR)/gen
PROTO     := lib/report/profile.proto
GEN_SRC   := $(GENDIR)/profile.pb-c.c
GEN_HDR   := $(GENDIR)/profile.pb-c.h
DMN_SRC   := $(sort $(wildcard daemon/*.c))
# the daemon's web viewer: its files and Debian's Chart.js, embedded as C arrays
VIEWER_FILES := $(sort $(wildcard daemon/viewer/*))
CHARTJS   := /usr/share/javascript/chart.js/chart.min.js
VIEWER_SRC := $(GENDIR)/viewer-assets.c
CORE_OBJ  := $(patsubst %.c,$(OBJDIR)/%.o,$(LIB_SRC) $(MON_SRC) $(DMN_SRC)) $(GENDIR)/profile.pb-c.o \
             $(GENDIR)/viewer-assets.o
MAIN_OBJ  := $(OBJDIR)/perf-prof.o

# lib/core/perfev.c is the one file that reaches into libperf's internal headers
# (ring base address, sample ids, filter ioctl); only it sees tools/include.
$(OBJDIR)/lib/core/perfev.o: EXTRA_CFLAGS := -I$(KDIR)/tools/include -I$(KDIR)/tools/lib -I$(KDIR)/tools/arch/x86/include -Wno-shadow -Wno-strict-prototypes

# Fixed BPF programs: lib/bpf/NAME.bpf.c compiled by clang against a
# vmlinux.h made from the running kernel's BTF (CO-RE), then a skeleton
# build/bpf/NAME.skel.h that C code includes. Generated, never committed.
BPFDIR    := $(BUILD)/bpf
BPF_SRC   := $(sort $(wildcard lib/bpf/*.bpf.c))
BPF_SKEL  := $(patsubst lib/bpf/%.bpf.c,$(BPFDIR)/%.skel.h,$(BPF_SRC))
VMLINUX_H := $(BPFDIR)/vmlinux.h
KERNEL_BTF ?= /sys/kernel/btf/vmlinux

# lib/bpf/feature.c loads the probe program's skeleton
$(OBJDIR)/lib/bpf/feature.o: $(BPFDIR)/probe.skel.h
# profile counts stacks in the kernel with its program's skeleton
$(OBJDIR)/monitors/profile.o: $(BPFDIR)/profile.skel.h
# rundelay aggregates in the kernel through its own program
$(OBJDIR)/monitors/rundelay.o: $(BPFDIR)/rundelay.skel.h lib/bpf/rundelay.h
$(OBJDIR)/monitors/rundelay.o: EXTRA_CFLAGS := -Ilib/bpf
$(BPFDIR)/rundelay.bpf.o: lib/bpf/rundelay.h lib/bpf/schedagg.h lib/bpf/vstat.bpf.h
# task-state likewise (lib/sched/schedbpf.c reads both programs' rows)
$(OBJDIR)/monitors/task-state.o: $(BPFDIR)/taskstate.skel.h lib/bpf/taskstate.h lib/bpf/schedagg.h
$(OBJDIR)/monitors/task-state.o: EXTRA_CFLAGS := -Ilib/bpf
$(BPFDIR)/taskstate.bpf.o: lib/bpf/taskstate.h lib/bpf/schedagg.h lib/bpf/vstat.bpf.h
$(OBJDIR)/lib/sched/schedbpf.o: lib/bpf/schedagg.h
$(OBJDIR)/lib/sched/schedbpf.o: EXTRA_CFLAGS := -Ilib/bpf
# syscalls pairs and counts the calls in the kernel with its program's skeleton
$(OBJDIR)/monitors/syscalls.o: $(BPFDIR)/syscalls.skel.h lib/bpf/syscalls.h
$(OBJDIR)/monitors/syscalls.o: EXTRA_CFLAGS := -Ilib/bpf
$(BPFDIR)/syscalls.bpf.o: lib/bpf/syscalls.h lib/bpf/vstat.bpf.h

UNIT_SRC  := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BIN  := $(patsubst tests/unit/%.c,$(OBJDIR)/tests/unit/%,$(UNIT_SRC))
HELPER_SRC := $(sort $(wildcard tests/helper/*.c))
HELPER_BIN := $(patsubst tests/helper/%.c,$(OBJDIR)/tests/helper/%,$(HELPER_SRC))
WL_SRC    := $(sort $(wildcard tests/workload/*.c))
WL_BIN    := $(patsubst tests/workload/%.c,$(BUILD)/workload/%,$(WL_SRC))

.PHONY: all deps test unit clean distclean bench fuzz man install uninstall
.DEFAULT_GOAL := all

all: $(BIN) man

# --- dependencies ---------------------------------------------------------
# Checked once per build tree; re-checked when the script changes.
$(BUILD)/.deps-ok: scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@if ! sh scripts/install-deps.sh --check >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			sh scripts/install-deps.sh || exit 1; \
		else \
			echo "error: missing build dependencies: $$(sh scripts/install-deps.sh --check)" >&2; \
			echo "hint: run 'sudo scripts/install-deps.sh' once, then 'make'" >&2; \
			exit 1; \
		fi; \
	fi
	@touch $@

deps: $(BUILD)/.deps-ok

# --- libperf from linux-source-6.1 ----------------------------------------
# Only the tools/ subtrees libperf needs are extracted, once.
$(KSTAMP): $(BUILD)/.deps-ok
	$(call msg,EXTRACT,$(KSRC_TAR))
	$(Q)rm -rf $(KDIR) && mkdir -p $(KDIR)
	$(Q)tar -xJf $(KSRC_TAR) -C $(KDIR) --strip-components=1 \
		linux-source-6.1/tools/lib linux-source-6.1/tools/include \
		linux-source-6.1/tools/build linux-source-6.1/tools/scripts \
		linux-source-6.1/tools/arch/x86/include
	$(Q)touch $@

$(LIBAPI): $(KSTAMP)
	$(call msg,MAKE,libapi)
	$(Q)$(MAKE) -s -C $(KDIR)/tools/lib/api libapi.a EXTRA_CFLAGS="-fPIC" >/dev/null

$(LIBPERF): $(KSTAMP) $(LIBAPI)
	$(call msg,MAKE,libperf)
	$(Q)$(MAKE) -s -C $(KDIR)/tools/lib/perf libperf.a EXTRA_CFLAGS="-fPIC" >/dev/null

# --- BPF programs -------------------------------------------------------
$(VMLINUX_H): $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@[ -r $(KERNEL_BTF) ] || { echo "error: '$(KERNEL_BTF)' is missing: the BPF programs are" \
		"built against the kernel's BTF" >&2; \
		echo "hint: build on a kernel with CONFIG_DEBUG_INFO_BTF, or set KERNEL_BTF=FILE" >&2; \
		exit 1; }
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(KERNEL_BTF) format c > $@.tmp && mv $@.tmp $@

$(BPFDIR)/%.bpf.o: lib/bpf/%.bpf.c $(VMLINUX_H)
	$(call msg,CLANG,$<)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I$(BPFDIR) -c -o $@ $<

$(BPFDIR)/%.skel.h: $(BPFDIR)/%.bpf.o
	$(call msg,GENSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name pp_$* > $@.tmp && mv $@.tmp $@

# --- generated code ------------------------------------------------------
$(GEN_SRC) $(GEN_HDR) &: $(PROTO) $(BUILD)/.deps-ok
	@mkdir -p $(GENDIR)
	$(call msg,PROTOC,$<)
	$(Q)protoc-c --proto_path=$(dir $(PROTO)) --c_out=$(GENDIR) $(PROTO)

$(GENDIR)/profile.pb-c.o: $(GEN_SRC) $(GEN_HDR)
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Chart.js is no prerequisite: the deps step installs it (libjs-chart.js)
$(VIEWER_SRC): $(VIEWER_FILES) scripts/embed.sh $(BUILD)/.deps-ok
	@mkdir -p $(GENDIR)
	$(call msg,EMBED,daemon/viewer)
	$(Q)sh scripts/embed.sh $@ $(foreach f,$(VIEWER_FILES),$(notdir $(f))=$(f)) chart.min.js=$(CHARTJS)

$(GENDIR)/viewer-assets.o: $(VIEWER_SRC)
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -Idaemon -c -o $@ $<

# every object may include the generated header: it exists before any compiles
$(CORE_OBJ) $(MAIN_OBJ): | $(GEN_HDR)

# --- perf-prof ------------------------------------------------------------
$(OBJDIR)/%.o: %.c $(LIBPERF)
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(EXTRA_CFLAGS) -MMD -MP -c -o $@ $<

$(BIN): $(MAIN_OBJ) $(CORE_OBJ) $(LIBPERF)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(CORE_OBJ) $(LDLIBS)

-include $(patsubst %.o,%.d,$(CORE_OBJ) $(MAIN_OBJ))

# --- man pages ------------------------------------------------------------
# Generated by pandoc (installed by the deps step) from Documentation/*.md,
# with the option lists and examples asked from the binary itself, so the
# pages and -h cannot disagree (scripts/man.lua). Never committed.
MAN_SRC   := $(sort $(wildcard Documentation/*.md))
MAN_DIR   := $(BUILD)/man
MAN_STAMP := $(MAN_DIR)/.stamp

$(MAN_STAMP): $(MAN_SRC) scripts/mkman.sh scripts/man.lua $(BIN) $(BUILD)/.deps-ok
	$(call msg,MAN,$(MAN_DIR))
	$(Q)sh scripts/mkman.sh $(MAN_DIR) $(abspath $(BIN)) $(VERSION) $(MAN_SRC)

man: $(MAN_STAMP)

# --- install --------------------------------------------------------------
PREFIX      ?= /usr/local
bindir      ?= $(PREFIX)/bin
datadir     ?= $(PREFIX)/share
mandir      ?= $(datadir)/man
docdir      ?= $(datadir)/doc/perf-prof
bashcompdir ?= $(datadir)/bash-completion/completions
INSTALL     ?= install

# The man pages are whatever build/man holds (one per Documentation page with
# a man: line); uninstall removes the pages by their perf-prof name, so it
# also works after `make clean` and takes pages an older install left.
install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man7 \
		$(DESTDIR)$(docdir) $(DESTDIR)$(bashcompdir)
	$(Q)$(INSTALL) -m 755 $(BIN) $(DESTDIR)$(bindir)/perf-prof
	$(Q)$(INSTALL) -m 644 $(MAN_DIR)/man1/*.1 $(DESTDIR)$(mandir)/man1/
	$(Q)$(INSTALL) -m 644 $(MAN_DIR)/man7/*.7 $(DESTDIR)$(mandir)/man7/
	$(Q)$(INSTALL) -m 644 README.md $(MAN_SRC) $(DESTDIR)$(docdir)/
	$(Q)$(INSTALL) -m 644 scripts/perf-prof-completion.bash $(DESTDIR)$(bashcompdir)/perf-prof

uninstall:
	$(call msg,RM,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(bindir)/perf-prof $(DESTDIR)$(bashcompdir)/perf-prof \
		$(DESTDIR)$(mandir)/man1/perf-prof.1 $(DESTDIR)$(mandir)/man1/perf-prof-*.1 \
		$(DESTDIR)$(mandir)/man7/perf-prof-*.7
	$(Q)rm -rf $(DESTDIR)$(docdir)

# --- tests ----------------------------------------------------------------
# Unit tests link the core objects (not the dispatcher's main).
$(OBJDIR)/tests/unit/%: tests/unit/%.c tests/unit/harness.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -Ilib/core -o $@ $< $(CORE_OBJ) $(ALL_LDFLAGS) $(LDLIBS)

# Test helpers: hosts of runs, like the daemon, linked with the core.
$(OBJDIR)/tests/helper/%: tests/helper/%.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(CORE_OBJ) $(ALL_LDFLAGS) $(LDLIBS)

# Workloads: plain C, frame pointers and debug info so stacks resolve.
$(BUILD)/workload/%: tests/workload/%.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -D_GNU_SOURCE \
		-o $@ $< -lpthread

unit: $(UNIT_BIN)

test: $(BIN) $(UNIT_BIN) $(HELPER_BIN) $(WL_BIN) $(MAN_STAMP)
	@PERF_PROF=$(abspath $(BIN)) UNIT_DIR=$(abspath $(OBJDIR)/tests/unit) \
		HELPER_DIR=$(abspath $(OBJDIR)/tests/helper) \
		WORKLOAD_DIR=$(abspath $(BUILD)/workload) SAN=$(SAN) MAN_DIR=$(abspath $(MAN_DIR)) \
		sh tests/run.sh $(T)

# make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="evspec expr opt ..."] (the list: tests/fuzz/run.sh)
fuzz:
	@sh tests/fuzz/run.sh $(or $(FUZZ_SECONDS),60) $(FUZZ_TARGETS)

clean:
	$(call msg,CLEAN,build)
	$(Q)rm -rf $(BUILD)/obj $(BUILD)/san $(BUILD)/workload $(BPFDIR) $(BUILD)/man perf-prof
	$(Q)-[ -d $(KDIR)/tools/lib/perf ] && $(MAKE) -s -C $(KDIR)/tools/lib/perf clean >/dev/null 2>&1; true
	$(Q)-[ -d $(KDIR)/tools/lib/api ] && $(MAKE) -s -C $(KDIR)/tools/lib/api clean >/dev/null 2>&1; true

distclean:
	$(Q)rm -rf $(BUILD) perf-prof
