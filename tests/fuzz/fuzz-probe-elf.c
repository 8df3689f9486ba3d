// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-probe-elf.c - libFuzzer harness for uprobe ELF resolution
 * (probe__elf_offset in lib/probe/probe.c: symbol tables, versions,
 * separate debuginfo by build-id and debuglink, segments, and the
 * instruction check of lib/probe/insn.c) over arbitrary ELF bytes.
 *
 * Input: byte 0 is the length N (0..63) of the function name that follows
 * (a name, or 0xADDR); then 2 bytes of offset (little endian); the rest is
 * the file, written to a private temporary directory (so a debuglink looks
 * for its target there). Beyond "does not crash": success gives a file
 * offset inside the file; failure is EXIT_USAGE with a message and -1 or
 * -ERANGE (the latter only for an offset that is wrong, so never for 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

#define FUZZ_MAX_FILE (256 * 1024)

static char dir[] = "/tmp/pp-fuzz-elf.XXXXXX";
static char path[PATH_MAX];

static void fuzz_assert(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz-probe-elf: contract broken: %s\n", what);
		abort();
	}
}

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static void write_file(const unsigned char *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char func[64];
	struct err err = { 0 };
	size_t n;
	u64 off, file_off = ~0ULL;
	int r;

	if (size < 3 || size > FUZZ_MAX_FILE)
		return -1;
	if (!path[0]) {
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/bin", dir);
		atexit(cleanup);
	}
	n = data[0] & 63;
	if (size < 3 + n)
		return -1;
	memcpy(func, data + 1, n);
	func[n] = '\0';
	if (!func[0] || strlen(func) != n)
		return -1;	/* a name, not bytes with a NUL inside */
	off = data[1 + n] | (u64)data[2 + n] << 8;
	write_file(data + 3 + n, size - 3 - n);
	r = probe__elf_offset(path, func, off, dir, &file_off, &err);
	if (!r) {
		fuzz_assert(file_off < size - 3 - n, "offset inside the file");
		return 0;
	}
	fuzz_assert(r == -1 || r == -ERANGE, "returns -1 or -ERANGE");
	fuzz_assert(r != -ERANGE || off, "-ERANGE only for an offset");
	fuzz_assert(err.code == EXIT_USAGE, "usage error code");
	fuzz_assert(err.msg[0], "error message");
	return 0;
}
