/* /init of the Linux initramfs for the bench's dynamic programs (bench/programs.sh).
 * The initramfs is the very image `monos run --save-image` wrote, with this launcher and
 * /dev/console (and /dev/null) appended. The launcher runs what monos's kernel runs: it reads
 * the image's /.monos/manifest (docs/protocol.md: NUL-terminated records exe=, arg=, env=,
 * cwd=) and execve's exe with those argv and environment in that working directory, so both
 * sides start the program with the same arguments and the same environment, not Linux's
 * HOME=/ TERM=linux for init. stdin becomes /dev/null, as `monos run </dev/null` gives the
 * program (monos.stdin=null). It mounts nothing: the programs measured need no /proc.
 * Static, so it needs nothing from the image. When it cannot start the program it prints why
 * on the console and exits 1 (Linux then panics and the bench sees no "hello"). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MANIFEST	"/.monos/manifest"
#define MAX_WORDS	256

static char buf[65536];

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "linux_init: %s %s: %m\n", what, path);
	return 1;
}

int main(void)
{
	char *argv[MAX_WORDS + 1], *envp[MAX_WORDS + 1], *exe = NULL, *cwd = NULL;
	int argc = 0, envc = 0, fd;
	ssize_t len = 0, n;

	fd = open(MANIFEST, O_RDONLY);
	if (fd < 0)
		return fail("cannot open", MANIFEST);
	while (len < (ssize_t)sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';

	for (char *r = buf; r < buf + len; r += strlen(r) + 1) {
		if (!strncmp(r, "exe=", 4))
			exe = r + 4;
		else if (!strncmp(r, "arg=", 4) && argc < MAX_WORDS)
			argv[argc++] = r + 4;
		else if (!strncmp(r, "env=", 4) && envc < MAX_WORDS)
			envp[envc++] = r + 4;
		else if (!strncmp(r, "cwd=", 4))
			cwd = r + 4;
	}
	argv[argc] = NULL;
	envp[envc] = NULL;
	if (!exe || !argc) {
		fprintf(stderr, "linux_init: %s has no exe= or arg= record\n", MANIFEST);
		return 1;
	}
	if (cwd && chdir(cwd) != 0)
		return fail("cannot chdir to", cwd);

	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		return fail("cannot open", "/dev/null");
	dup2(fd, 0);
	if (fd != 0)
		close(fd);

	execve(exe, argv, envp);
	return fail("cannot execve", exe);
}
