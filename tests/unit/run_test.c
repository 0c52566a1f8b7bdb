/* Test of `monos run` as a whole, without the real kernel: build/monos boots the fake
 * kernels of fake_kernel.S under QEMU (exit status, stderr relay, panic, timeout, signals,
 * no QEMU left behind), reports bad PROGRAMs with the documented messages and codes, and
 * writes the image the protocol describes (checked through --save-image): dynamic
 * programs with their closures, profiles, default files; the image cache. As root, the
 * images of real dynamic programs are unpacked and run under chroot: a closure that runs
 * there is complete. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#if !defined(MONOS_BIN) || !defined(FIXTURE_DIR)
#error "MONOS_BIN (build/monos) and FIXTURE_DIR (build/unit) must be defined"
#endif
#define PROG FIXTURE_DIR "/elf-static"
#define FAKE(scene) FIXTURE_DIR "/fake-" scene ".elf"
#define FX FIXTURE_DIR "/closure-fx"	/* the closure test's libraries and programs */

static char tmp[256];
static char marker[64];		/* in QEMU's -name, to find leftover QEMU processes */
static int nruns;

struct result {
	int code;		/* exit code, or 128 + signal */
	char out[1 << 16];
	char err[1 << 16];
	double secs;
	bool hung;		/* still running after 60 s; killed */
	bool leftover;		/* a QEMU of this run outlived monos */
};
static struct result R;

struct run_opts {
	const char *stdin_data;	/* NULL: /dev/null */
	double signal_after;	/* seconds; 0: none */
	int signal;
	const char *path_env;	/* PATH for monos, or NULL to keep ours */
	int stdout_fd;		/* -1: a file read into R.out */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, cap - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* Pids of processes whose command line contains s. */
static int find_procs(const char *s, pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)) && n < max) {
		char path[300], buf[8192];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t k = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (ssize_t i = 0; i < k; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[k > 0 ? k : 0] = '\0';
		if (strstr(buf, s))
			pids[n++] = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return n;
}

/* Runs monos with ARGS (after "run"; the --qemu-arg marker goes first). */
static void run(const struct run_opts *o, const char *const *args)
{
	const char *argv[64];
	char name_arg[80];
	int n = 0;

	snprintf(marker, sizeof(marker), "monos-run-test-%d-%d", getpid(), ++nruns);
	snprintf(name_arg, sizeof(name_arg), "--qemu-arg=%s", marker);
	argv[n++] = MONOS_BIN;
	argv[n++] = "run";
	argv[n++] = "--qemu-arg=-name";
	argv[n++] = name_arg;
	for (; *args && n < 62; args++)
		argv[n++] = *args;
	argv[n] = NULL;

	char out[300], err[300];
	snprintf(out, sizeof(out), "%s/out", tmp);
	snprintf(err, sizeof(err), "%s/err", tmp);
	int in[2];
	if (pipe(in) != 0)
		exit(2);
	double t0 = now();
	pid_t pid = fork();
	if (pid == 0) {
		int fo = o->stdout_fd >= 0 ? o->stdout_fd : open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fi = o->stdin_data ? in[0] : open("/dev/null", O_RDONLY);
		dup2(fi, 0), dup2(fo, 1), dup2(fe, 2);
		close(in[1]);
		if (o->path_env)
			setenv("PATH", o->path_env, 1);
		execv(MONOS_BIN, (char **)argv);
		_exit(99);
	}
	close(in[0]);
	if (o->stdin_data && write(in[1], o->stdin_data, strlen(o->stdin_data)) < 0)
		perror("write");
	close(in[1]);

	int st = 0;
	bool signalled = false;
	R.hung = false;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		double t = now() - t0;
		if (o->signal_after && !signalled && t >= o->signal_after) {
			kill(pid, o->signal);
			signalled = true;
		}
		if (t > 60) {
			kill(pid, SIGKILL);
			R.hung = true;
		}
		usleep(5000);
	}
	R.secs = now() - t0;
	R.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(out, R.out, sizeof(R.out));
	slurp(err, R.err, sizeof(R.err));

	/* PR_SET_PDEATHSIG acts at once, but give a loaded machine a moment. */
	pid_t left[8];
	int k = 0;
	for (int i = 0; i < 200 && (k = find_procs(marker, left, 8)) > 0; i++)
		usleep(10000);
	R.leftover = k > 0;
	for (int i = 0; i < k; i++)
		kill(left[i], SIGKILL);
}

#define RUN(opts, ...) run(opts, (const char *const[]){ __VA_ARGS__, NULL })

static const struct run_opts plain = { .stdout_fd = -1 };

/* ---- a small reader for the images monos writes ---- */

struct entry {
	char name[4100];
	unsigned mode;
	const unsigned char *data;
	size_t size;
};

static unsigned char *image;
static size_t image_len;

static bool load_image(const char *path)
{
	free(image);
	image = NULL;
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		return false;
	image = malloc(st.st_size);
	image_len = st.st_size;
	bool ok = read(fd, image, image_len) == (ssize_t)image_len;
	close(fd);
	return ok;
}

static uint32_t hexf(const unsigned char *p)
{
	char b[9];
	memcpy(b, p, 8);
	b[8] = '\0';
	return strtoul(b, NULL, 16);
}

/* Finds NAME (as stored: no leading slash) in the loaded image. */
static bool find_entry(const char *name, struct entry *e)
{
	size_t off = 0;
	while (off + 110 <= image_len && !memcmp(image + off, "070701", 6)) {
		uint32_t mode = hexf(image + off + 14), size = hexf(image + off + 54);
		uint32_t ns = hexf(image + off + 94);
		const char *n = (const char *)image + off + 110;
		size_t data = (off + 110 + ns + 3) & ~(size_t)3;
		if (!strcmp(n, "TRAILER!!!"))
			break;
		if (!strcmp(n, name)) {
			snprintf(e->name, sizeof(e->name), "%s", n);
			e->mode = mode;
			e->data = image + data;
			e->size = size;
			return true;
		}
		off = (data + size + 3) & ~(size_t)3;
	}
	return false;
}

static bool entry_is(const char *name, unsigned type, const char *content)
{
	struct entry e;
	if (!find_entry(name, &e) || (e.mode & S_IFMT) != type)
		return false;
	return !content || (e.size == strlen(content) && !memcmp(e.data, content, e.size));
}

/* ---- the checks ---- */

static void test_outcomes(void)
{
	RUN(&plain, "--kernel", FAKE("exit"), PROG);
	check("run.exit_status", R.code == 42, "exit %d, want 42; stderr: %s", R.code, R.err);
	check("run.console_to_stdout", !strcmp(R.out, "ok\n"), "stdout '%s', want 'ok\\n'", R.out);
	check("run.stderr_records", !strcmp(R.err, "hi\n"), "stderr '%s', want 'hi\\n'", R.err);
	check("run.no_qemu_left", !R.leftover, "QEMU outlived monos");

	RUN(&plain, "--kernel", FAKE("debug-exit"), PROG);
	check("run.debug_exit_code", R.code == 7, "exit %d, want 7 (QEMU exit 15 >> 1)", R.code);

	RUN(&plain, "--kernel", FAKE("panic"), PROG);
	check("run.panic", R.code == 125 && strstr(R.err, "boom\n") &&
	      strstr(R.err, "monos: kernel panic\n"), "exit %d; stderr: %s", R.code, R.err);

	RUN(&plain, "--kernel", FAKE("status-hang"), PROG);
	check("run.status_then_hang", R.code == 3 && R.secs < 10 && !R.leftover,
	      "exit %d after %.1f s (leftover %d)", R.code, R.secs, R.leftover);

	RUN(&plain, "--kernel", FAKE("bad-record"), PROG);
	check("run.bad_record", R.code == 5 && strstr(R.err, "monos: the kernel sent a bad "
	      "control record (type 0x5a)"), "exit %d; stderr: %s", R.code, R.err);

	RUN(&plain, "--kernel", FAKE("no-status"), PROG);
	check("run.no_status", R.code == 125 &&
	      strstr(R.err, "monos: the VM stopped without an exit status"),
	      "exit %d; stderr: %s", R.code, R.err);

	RUN(&plain, "--kernel", FAKE("exit"), "--qemu-arg=-no-such-qemu-option", PROG);
	check("run.qemu_fails", R.code == 125 && strstr(R.err, "-no-such-qemu-option"),
	      "exit %d; stderr: %s", R.code, R.err);

	RUN(&plain, "--kernel", FAKE("exit"), "-M", "q35", PROG);
	check("run.machine_q35", R.code == 42 && !strcmp(R.out, "ok\n"),
	      "exit %d, stdout '%s' (SeaBIOS output must not reach stdout)", R.code, R.out);
}

static void test_stopping(void)
{
	RUN(&plain, "--kernel", FAKE("hang"), "--timeout", "0.5", PROG);
	check("run.timeout", R.code == 124 && strstr(R.err, "monos: timed out after 0.5 seconds") &&
	      R.secs < 10 && !R.leftover, "exit %d after %.1f s; stderr: %s", R.code, R.secs,
	      R.err);

	struct run_opts o = plain;
	o.signal_after = 0.5;
	o.signal = SIGINT;
	RUN(&o, "--kernel", FAKE("hang"), PROG);
	check("run.sigint", R.code == 130 && !R.leftover, "exit %d, leftover %d", R.code,
	      R.leftover);

	o.signal = SIGTERM;
	RUN(&o, "--kernel", FAKE("hang"), PROG);
	check("run.sigterm", R.code == 143 && !R.leftover, "exit %d, leftover %d", R.code,
	      R.leftover);

	o.signal = SIGKILL;
	RUN(&o, "--kernel", FAKE("hang"), PROG);
	check("run.monos_killed", R.code == 128 + SIGKILL && !R.leftover,
	      "exit %d, leftover QEMU %d (PR_SET_PDEATHSIG)", R.code, R.leftover);
}

static void test_bad_programs(void)
{
	RUN(&plain, "--dry-run", "no-such-program-for-monos");
	check("run.not_found", R.code == 127 &&
	      !strcmp(R.err, "monos: no-such-program-for-monos: not found\n"),
	      "exit %d; stderr: %s", R.code, R.err);

	RUN(&plain, "--dry-run", "./no/such/path");
	check("run.not_found_path", R.code == 127 && !strcmp(R.err, "monos: ./no/such/path: not found\n"),
	      "exit %d; stderr: %s", R.code, R.err);

	char script[300];
	snprintf(script, sizeof(script), "%s/script.sh", tmp);
	int fd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0 || write(fd, "#!/bin/sh\n", 10) != 10)
		exit(2);
	close(fd);
	RUN(&plain, "--dry-run", script);
	char want[400];
	snprintf(want, sizeof(want), "monos: %s: not an x86-64 ELF executable\n", script);
	check("run.not_elf", R.code == 126 && !strcmp(R.err, want), "exit %d; stderr: %s",
	      R.code, R.err);

	chmod(script, 0644);
	RUN(&plain, "--dry-run", script);
	check("run.not_executable", R.code == 126 && strstr(R.err, "permission denied"),
	      "exit %d; stderr: %s", R.code, R.err);


	RUN(&plain, "--dry-run", tmp);
	check("run.directory", R.code == 126, "exit %d; stderr: %s", R.code, R.err);

	struct run_opts o = plain;
	o.path_env = "/nonexistent";
	RUN(&o, "--kernel", FAKE("exit"), PROG);
	check("run.qemu_missing", R.code == 127 && !strcmp(R.err, "monos: qemu-system-x86_64 not "
	      "found; install it with: apt-get install qemu-system-x86\n"), "exit %d; stderr: %s",
	      R.code, R.err);

	RUN(&plain, "--kernel", "/nonexistent/kernel.elf", PROG);
	check("run.kernel_missing", R.code == 125 && strstr(R.err, "/nonexistent/kernel.elf"),
	      "exit %d; stderr: %s", R.code, R.err);

	RUN(&plain, "--smp", "0", PROG);
	check("run.usage_error", R.code == 125 && strstr(R.err, "monos: --smp 0"),
	      "exit %d; stderr: %s", R.code, R.err);

	RUN(&plain, "--accel", "kvm", "--icount", PROG);
	check("run.icount_needs_tcg", R.code == 125, "exit %d; stderr: %s", R.code, R.err);
}

static void test_command_line(void)
{
	RUN(&plain, "--dry-run", "--kernel", FAKE("exit"), "--accel", "tcg", "-m", "256M",
	    "--smp", "2", "--trace=syscalls", "--no-aslr", PROG);
	check("run.dry_run", R.code == 0 && strstr(R.out, "qemu-system-x86_64 -M microvm") &&
	      strstr(R.out, " -accel tcg -cpu max ") && strstr(R.out, " -m 256M -smp 2 ") &&
	      strstr(R.out, "-chardev file,id=ctl,path=/dev/fd/3") &&
	      strstr(R.out, "-device isa-debug-exit,iobase=0xf4,iosize=0x04") &&
	      strstr(R.out, "'monos.ctl=debugcon monos.tty=0 monos.trace=syscalls monos.aslr=off "
		     "monos.stdin=null monos.tsc_khz="), "exit %d; stdout: %s", R.code, R.out);

	RUN(&plain, "--dry-run", "--kernel", FAKE("exit"), "--trace=signals,syscalls,futex", PROG);
	check("run.trace_list", R.code == 0 && strstr(R.out, " monos.trace=syscalls,futex,signals "),
	      "exit %d; stdout: %s", R.code, R.out);
	RUN(&plain, "--dry-run", "--kernel", FAKE("exit"), "--trace=sockets", PROG);
	check("run.trace_unknown", R.code == 125 && strstr(R.err, "'syscalls', 'futex' and 'signals'"),
	      "exit %d; stderr: %s", R.code, R.err);

	RUN(&plain, "--dry-run", "--kernel", FAKE("exit"), "--icount", PROG);
	check("run.icount", R.code == 0 && strstr(R.out, "-icount shift=0,sleep=off") &&
	      strstr(R.out, "monos.tsc_khz=1000000'"), "stdout: %s", R.out);

	/* monos.tty follows the fds that are terminals: here stdout only. */
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0) {
		int s = open(ptsname(m), O_RDWR | O_NOCTTY);
		struct run_opts o = plain;
		o.stdout_fd = s;
		RUN(&o, "--dry-run", "--kernel", FAKE("exit"), PROG);
		close(s);
		char buf[8192] = "";
		ssize_t n = read(m, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		check("run.tty_mask", strstr(buf, "monos.tty=2") != NULL, "output on a pty: %s", buf);

		/* The guest does ONLCR for its terminals, so the host terminal must not during
		 * the run ("ok\n" from the console stays "ok\n"), and gets ONLCR back after. */
		s = open(ptsname(m), O_RDWR | O_NOCTTY);
		o.stdout_fd = s;
		RUN(&o, "--kernel", FAKE("exit"), PROG);
		struct termios t;
		bool restored = tcgetattr(s, &t) == 0 && (t.c_oflag & ONLCR);
		close(s);
		n = read(m, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		check("run.host_onlcr_off", R.code == 42 && !strcmp(buf, "ok\n"),
		      "exit %d; the console's \"ok\\n\" reached the terminal as \"%s\"", R.code, buf);
		check("run.terminal_restored", restored, "ONLCR is still off after the run");
	} else {
		check("run.tty_mask", false, "no pseudo-terminal: %s", strerror(errno));
	}
	if (m >= 0)
		close(m);
}

static void test_image(void)
{
	char img[300], wd[300], prog_real[4096];
	snprintf(img, sizeof(img), "%s/image.cpio", tmp);
	if (!realpath(PROG, prog_real))
		exit(2);

	/* The manifest: exe, argv as typed, env (defaults, -e in order), cwd. */
	setenv("MONOS_TEST_COPY", "copied", 1);
	unsetenv("MONOS_TEST_UNSET");
	setenv("TERM", "xterm", 1);	/* not copied: stdout is not a terminal */
	RUN(&plain, "--dry-run", "--save-image", img, "-e", "FOO=bar", "-e", "HOME=/home/x",
	    "-e", "MONOS_TEST_COPY", "-e", "MONOS_TEST_UNSET", "-w", "/work/dir", PROG, "a", "b c");
	static char want[8192];
	size_t wl = 0;
	const char *recs[] = {
		"exe=", prog_real, "arg=", PROG, "arg=", "a", "arg=", "b c",
		"env=", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"env=", "HOME=/home/x", "env=", "FOO=bar", "env=", "MONOS_TEST_COPY=copied",
		"cwd=", "/work/dir",
	};
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i += 2)
		wl += sprintf(want + wl, "%s%s", recs[i], recs[i + 1]) + 1;
	struct entry e;
	bool ok = R.code == 0 && load_image(img) && find_entry(".monos/manifest", &e);
	check("run.manifest", ok && e.size == wl && !memcmp(e.data, want, wl),
	      "exit %d; stderr: %s; manifest differs", R.code, R.err);
	check("run.image_program", ok && entry_is(prog_real + 1, S_IFREG, NULL) &&
	      entry_is(FIXTURE_DIR + 1, S_IFDIR, NULL), "the program or its parents are missing");
	check("run.image_workdir", ok && entry_is("work/dir", S_IFDIR, NULL) &&
	      entry_is("work", S_IFDIR, NULL), "the working directory is missing");
	check("run.dry_run_no_stdin", ok && !find_entry(".monos/stdin", &e),
	      "a dry run put stdin in the image");

	/* stdin: everything read, or for /dev/null no file (the guest gets its null device). */
	struct run_opts o = plain;
	o.stdin_data = "line one\nline two\n";
	RUN(&o, "--kernel", FAKE("exit"), "--save-image", img, PROG);
	check("run.stdin_captured", R.code == 42 && load_image(img) &&
	      entry_is(".monos/stdin", S_IFREG, "line one\nline two\n"), "exit %d; stderr: %s",
	      R.code, R.err);
	RUN(&plain, "--kernel", FAKE("exit"), "--save-image", img, PROG);
	check("run.stdin_null", R.code == 42 && load_image(img) && !find_entry(".monos/stdin", &e),
	      "exit %d; stderr: %s", R.code, R.err);

	/* --add: trees with symlinks, default guest paths, the reserved /.monos. */
	char tree[300], cmd[2048];
	snprintf(tree, sizeof(tree), "%s/tree", tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/sub && printf A > %s/a.txt && printf BB > "
		 "%s/sub/b.bin && ln -sf a.txt %s/link", tree, tree, tree, tree);
	if (system(cmd) != 0)
		exit(2);
	char add1[400], add2[400];
	snprintf(add1, sizeof(add1), "%s:/data", tree);
	snprintf(add2, sizeof(add2), "%s/sub/../a.txt", tree);
	RUN(&plain, "--dry-run", "--save-image", img, "--add", add1, "--add", add2, PROG);
	char a_default[400];
	snprintf(a_default, sizeof(a_default), "%s/a.txt", tree + 1);
	ok = R.code == 0 && load_image(img);
	check("run.add_tree", ok && entry_is("data", S_IFDIR, NULL) &&
	      entry_is("data/a.txt", S_IFREG, "A") && entry_is("data/sub", S_IFDIR, NULL) &&
	      entry_is("data/sub/b.bin", S_IFREG, "BB") && entry_is("data/link", S_IFLNK, "a.txt"),
	      "exit %d; stderr: %s", R.code, R.err);
	check("run.add_default_guest", ok && entry_is(a_default, S_IFREG, "A"),
	      "%s missing from the image", a_default);

	RUN(&plain, "--dry-run", "--add", "/etc/hostname:/.monos/x", PROG);
	check("run.add_reserved", R.code == 125 && strstr(R.err, "reserved"), "exit %d; stderr: %s",
	      R.code, R.err);
	RUN(&plain, "--dry-run", "--add", "/nonexistent/monos-test", PROG);
	check("run.add_missing", R.code == 125 && strstr(R.err, "/nonexistent/monos-test"),
	      "exit %d; stderr: %s", R.code, R.err);

	/* The temporary directory goes away, whatever happens. */
	snprintf(wd, sizeof(wd), "%s/tmpdir", tmp);
	mkdir(wd, 0700);
	setenv("TMPDIR", wd, 1);
	RUN(&plain, "--kernel", FAKE("exit"), PROG);
	int left = 0;
	DIR *d = opendir(wd);
	struct dirent *de;
	while (d && (de = readdir(d)))
		left += de->d_name[0] != '.';
	if (d)
		closedir(d);
	check("run.tmp_removed", R.code == 42 && left == 0, "exit %d; %d entries left in %s",
	      R.code, left, wd);
	o = plain;
	o.signal_after = 0.5;
	o.signal = SIGINT;
	RUN(&o, "--kernel", FAKE("hang"), PROG);
	left = 0;
	d = opendir(wd);
	while (d && (de = readdir(d)))
		left += de->d_name[0] != '.';
	if (d)
		closedir(d);
	check("run.tmp_removed_on_sigint", R.code == 130 && left == 0,
	      "exit %d; %d entries left in %s", R.code, left, wd);

	/* A reader that went away (`monos run ... | head -1`) is no reason to die. */
	int p[2];
	if (pipe(p) != 0)
		exit(2);
	close(p[0]);
	o = plain;
	o.stdout_fd = p[1];
	RUN(&o, "--kernel", FAKE("exit"), PROG);
	int code_run = R.code;
	RUN(&o, "--dry-run", PROG);
	close(p[1]);
	left = 0;
	d = opendir(wd);
	while (d && (de = readdir(d)))
		left += de->d_name[0] != '.';
	if (d)
		closedir(d);
	check("run.closed_stdout", code_run == 42 && R.code == 0 && left == 0,
	      "exit %d (run), %d (dry run); %d entries left in %s", code_run, R.code, left, wd);
	setenv("TMPDIR", tmp, 1);
}


/* ---- dynamic programs, default files, profiles, the cache ---- */

/* Is there an entry whose name ends with "/SUFFIX" (or is SUFFIX), of TYPE? */
static bool has_suffix(const char *suffix, unsigned type)
{
	size_t off = 0, sl = strlen(suffix);
	while (off + 110 <= image_len && !memcmp(image + off, "070701", 6)) {
		uint32_t mode = hexf(image + off + 14), size = hexf(image + off + 54);
		uint32_t ns = hexf(image + off + 94);
		const char *n = (const char *)image + off + 110;
		size_t data = (off + 110 + ns + 3) & ~(size_t)3;
		size_t nl = strlen(n);
		if (!strcmp(n, "TRAILER!!!"))
			break;
		if ((mode & S_IFMT) == type && nl >= sl && !strcmp(n + nl - sl, suffix) &&
		    (nl == sl || n[nl - sl - 1] == '/'))
			return true;
		off = (data + size + 3) & ~(size_t)3;
	}
	return false;
}

static int count_cached(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += strlen(de->d_name) == 69 && !strcmp(de->d_name + 64, ".cpio");
	if (d)
		closedir(d);
	return n;
}

static void test_dynamic(void)
{
	char img[300];
	snprintf(img, sizeof(img), "%s/dyn.cpio", tmp);

	/* /bin/true: the program as found and at its real path, ld.so, libc. */
	RUN(&plain, "--dry-run", "--save-image", img, "/bin/true");
	char real[4096];
	bool ok = R.code == 0 && load_image(img) && realpath("/bin/true", real);
	check("run.dynamic", ok && entry_is(real + 1, S_IFREG, NULL) &&
	      has_suffix("ld-linux-x86-64.so.2", S_IFREG) && has_suffix("libc.so.6", S_IFREG) &&
	      (entry_is("lib64/ld-linux-x86-64.so.2", S_IFLNK, NULL) ||
	       entry_is("lib64/ld-linux-x86-64.so.2", S_IFREG, NULL) ||
	       entry_is("lib64", S_IFLNK, NULL)), "exit %d; stderr: %s", R.code, R.err);

	/* Default files, unless the user adds their own. */
	check("run.default_files", ok && entry_is("etc/passwd", S_IFREG, "root:x:0:0:root:/root:/bin/sh\n") &&
	      entry_is("etc/resolv.conf", S_IFREG, "nameserver 10.0.2.3\n") &&
	      entry_is("etc/hosts", S_IFREG, "127.0.0.1\tlocalhost\n::1\tlocalhost\n") &&
	      entry_is("etc/group", S_IFREG, NULL) && entry_is("etc/nsswitch.conf", S_IFREG, NULL) &&
	      entry_is("root", S_IFDIR, NULL) && entry_is("tmp", S_IFDIR, NULL) &&
	      !find_entry("etc/ld.so.cache", &(struct entry){ 0 }),
	      "missing default files (or an ld.so.cache nobody needs)");
	char mine[300], add[400];
	snprintf(mine, sizeof(mine), "%s/passwd", tmp);
	int fd = open(mine, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "me:x:1:1::/:/bin/sh\n", 20) != 20)
		exit(2);
	close(fd);
	snprintf(add, sizeof(add), "%s:/etc/passwd", mine);
	RUN(&plain, "--dry-run", "--save-image", img, "--add", add, PROG);
	check("run.default_files_yield", R.code == 0 && load_image(img) &&
	      entry_is("etc/passwd", S_IFREG, "me:x:1:1::/:/bin/sh\n"), "exit %d; stderr: %s",
	      R.code, R.err);

	/* A missing library: 127 and where it was looked for; --allow-missing: a warning. */
	RUN(&plain, "--dry-run", FX "/p-missing");
	check("run.missing_library", R.code == 127 && !strncmp(R.err, "monos: " FX "/p-missing needs "
	      "libnothere.so.1, which was not found (searched: ", 80), "exit %d; stderr: %s",
	      R.code, R.err);
	RUN(&plain, "--dry-run", "--allow-missing", FX "/p-missing");
	check("run.allow_missing", R.code == 0 && strstr(R.err, "monos: warning: "),
	      "exit %d; stderr: %s", R.code, R.err);

	/* An added shared object brings its closure ($ORIGIN taken where it is on the host). */
	RUN(&plain, "--dry-run", "--save-image", img, "--add", FX "/origin/libori.so", PROG);
	check("run.add_shared_object", R.code == 0 && load_image(img) &&
	      entry_is(FX "/origin/sub/libsub.so" + 1, S_IFREG, NULL),
	      "exit %d; stderr: %s", R.code, R.err);

	/* --missing-files reaches the kernel command line. */
	RUN(&plain, "--dry-run", "--missing-files", PROG);
	check("run.missing_files", R.code == 0 && strstr(R.out, " monos.missing_files"),
	      "stdout: %s", R.out);

	/* A profile of our own: matched by name, its tree added, exclusions honoured. */
	char prof[300], tree[300], cmd[4096];
	snprintf(tree, sizeof(tree), "%s/ptree", tmp);
	snprintf(prof, sizeof(prof), "%s/test.profile", tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/keep %s/__pycache__ && printf k > %s/keep/k.txt && "
		 "printf c > %s/__pycache__/c.pyc && printf 'match elf-stat*\\nadd %s\\n"
		 "add? /nonexistent/monos-*\\nexclude __pycache__\\n' > %s", tree, tree, tree, tree,
		 tree, prof);
	if (system(cmd) != 0)
		exit(2);
	RUN(&plain, "--dry-run", "--save-image", img, "--profile", prof, PROG);
	char want[400];
	snprintf(want, sizeof(want), "%s/keep/k.txt", tree + 1);
	bool got = R.code == 0 && load_image(img) && entry_is(want, S_IFREG, "k");
	snprintf(want, sizeof(want), "%s/__pycache__", tree + 1);
	check("run.profile", got && !find_entry(want, &(struct entry){ 0 }) && !R.err[0],
	      "exit %d; stderr: %s", R.code, R.err);
	snprintf(cmd, sizeof(cmd), "printf 'match x\\nfrobnicate y\\n' > %s", prof);
	if (system(cmd) != 0)
		exit(2);
	RUN(&plain, "--dry-run", "--profile", prof, PROG);
	check("run.profile_error", R.code == 125 && strstr(R.err, "line 2: unknown keyword 'frobnicate'"),
	      "exit %d; stderr: %s", R.code, R.err);
}

static void test_cache(void)
{
	char dir[300], file[300], add[400];
	snprintf(dir, sizeof(dir), "%s/cache", tmp);
	snprintf(file, sizeof(file), "%s/cached-input", tmp);
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "one", 3) != 3)
		exit(2);
	close(fd);
	snprintf(add, sizeof(add), "%s:/input", file);

	RUN(&plain, "-v", "--dry-run", "--cache-dir", dir, "--add", add, PROG);
	bool built = R.code == 0 && strstr(R.err, " built in ") && strstr(R.out, dir);
	RUN(&plain, "-v", "--dry-run", "--cache-dir", dir, "--add", add, PROG);
	check("run.cache_hit", built && R.code == 0 && strstr(R.err, "from the cache") &&
	      strstr(R.out, dir) && count_cached(dir) == 1, "exit %d; %d cached; stderr: %s",
	      R.code, count_cached(dir), R.err);

	/* The same size and mtime, other bytes: the ctime tells. */
	struct stat st;
	stat(file, &st);
	fd = open(file, O_WRONLY);
	if (fd < 0 || write(fd, "two", 3) != 3)
		exit(2);
	close(fd);
	struct timespec ts[2] = { st.st_atim, st.st_mtim };
	utimensat(AT_FDCWD, file, ts, 0);
	RUN(&plain, "-v", "--dry-run", "--cache-dir", dir, "--add", add, PROG);
	check("run.cache_miss_on_change", R.code == 0 && strstr(R.err, " built in ") &&
	      count_cached(dir) == 2, "exit %d; %d cached; stderr: %s", R.code, count_cached(dir), R.err);

	/* Other arguments, another image. */
	RUN(&plain, "-v", "--dry-run", "--cache-dir", dir, "--add", add, PROG, "x");
	check("run.cache_key_has_args", R.code == 0 && strstr(R.err, " built in "),
	      "stderr: %s", R.err);

	/* stdin with bytes: the cached image is used, stdin goes into a copy. */
	struct run_opts o = plain;
	o.stdin_data = "from stdin\n";
	RUN(&o, "-v", "--kernel", FAKE("exit"), "--cache-dir", dir, PROG);
	int before = count_cached(dir);
	RUN(&o, "-v", "--kernel", FAKE("exit"), "--cache-dir", dir, PROG);
	bool hit = R.code == 42 && strstr(R.err, "from the cache");
	/* ... and the cached image has no stdin in it. */
	bool clean = true;
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[700];
	while (d && (de = readdir(d))) {
		if (strlen(de->d_name) != 69)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		clean &= load_image(path) && !find_entry(".monos/stdin", &(struct entry){ 0 });
	}
	if (d)
		closedir(d);
	check("run.cache_stdin", hit && clean && count_cached(dir) == before,
	      "exit %d, cached images without stdin: %d; stderr: %s", R.code, clean, R.err);

	/* --no-cache leaves nothing behind; --save-image does not use the cache. */
	char dir2[300];
	snprintf(dir2, sizeof(dir2), "%s/cache2", tmp);
	RUN(&plain, "--dry-run", "--no-cache", "--cache-dir", dir2, PROG);
	int n1 = count_cached(dir2);
	snprintf(path, sizeof(path), "%s/saved.cpio", tmp);
	RUN(&plain, "--dry-run", "--save-image", path, "--cache-dir", dir2, PROG);
	check("run.no_cache", R.code == 0 && n1 == 0 && count_cached(dir2) == 0,
	      "%d then %d images cached", n1, count_cached(dir2));

	/* Eviction: no more than 16 images. */
	for (int i = 0; i < 18; i++) {
		char e[32];
		snprintf(e, sizeof(e), "N=%d", i);
		RUN(&plain, "--dry-run", "--cache-dir", dir2, "-e", e, PROG);
	}
	check("run.cache_evict", count_cached(dir2) == 16, "%d images cached", count_cached(dir2));
}

/* As root: PROGRAM's image (built with --dry-run), unpacked, runs under chroot with ARGS
 * and prints a line starting with WANT. Programs that are not installed are skipped. */
static void chroot_check(const char *name, const char *program, const char *args, const char *want)
{
	char which[300], img[300], root[300], cmd[4096], out[4096] = "";
	snprintf(which, sizeof(which), "command -v %s >/dev/null 2>&1", program);
	if (system(which) != 0) {
		printf("SKIP %s: %s is not installed\n", name, program);
		return;
	}
	snprintf(img, sizeof(img), "%s/%s.cpio", tmp, program);
	snprintf(root, sizeof(root), "%s/%s.root", tmp, program);
	struct run_opts o = plain;
	o.path_env = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	double t0 = now();
	RUN(&o, "--dry-run", "--no-cache", "--save-image", img, program);
	double secs = now() - t0;
	struct stat st;
	if (R.code != 0 || stat(img, &st) != 0) {
		check(name, false, "exit %d; stderr: %s", R.code, R.err);
		return;
	}
	/* /dev/null, which the guest kernel provides, for perl. */
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cd %s && cpio -idm --quiet < %s && "
		 "mkdir -p dev && mknod -m 666 dev/null c 1 3 && "
		 "env -i PATH=/usr/bin:/bin /usr/sbin/chroot %s %s %s 2>&1", root, root, img, root,
		 program, args);
	FILE *f = popen(cmd, "r");
	size_t n = f ? fread(out, 1, sizeof(out) - 1, f) : 0;
	out[n] = '\0';
	if (f)
		pclose(f);
	check(name, !strncmp(out, want, strlen(want)), "chroot %s %s printed: %s", program, args, out);
	printf("# %s: image %.1f MB, built in %.0f ms\n", program, st.st_size / 1e6, secs * 1e3);
}

static void test_chroot(void)
{
	if (geteuid() != 0 || access("/usr/sbin/chroot", X_OK) != 0) {
		printf("SKIP run.chroot: needs root\n");
		return;
	}
	chroot_check("run.chroot_ls", "ls", "-d /usr/bin", "/usr/bin");
	chroot_check("run.chroot_python3", "python3",
		     "-c 'import json, hashlib, sqlite3, ssl; print(\"ok\", hashlib.sha256(b\"\").hexdigest()[:6])'",
		     "ok e3b0c4");
	chroot_check("run.chroot_sqlite3", "sqlite3", ":memory: 'select 6*7;'", "42");
	chroot_check("run.chroot_lua", "lua5.4", "-e 'print(6*7)'", "42");
	chroot_check("run.chroot_perl", "perl", "-MList::Util=sum -e 'print sum(40,2), qq(\\n)'", "42");
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/run_test.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp))
		return check("run.tmpdir", false, "mkdtemp: %s", strerror(errno)), 1;
	if (!check("run.qemu_installed", system("qemu-system-x86_64 --version >/dev/null 2>&1") == 0,
		   "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"))
		return 1;

	/* The image cache of these runs stays in our scratch directory. */
	char cache_home[300];
	snprintf(cache_home, sizeof(cache_home), "%s/xdg-cache", tmp);
	setenv("XDG_CACHE_HOME", cache_home, 1);

	test_bad_programs();
	test_command_line();
	test_image();
	test_dynamic();
	test_cache();
	test_chroot();
	test_outcomes();
	test_stopping();

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (!check_failed && system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return check_exit();
}
