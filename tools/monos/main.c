/* monos: the host command line. Parses `monos run [options] PROGRAM [ARGS...]`, checks
 * PROGRAM, has pack.c plan the image, takes it from the cache or builds it (cache.c,
 * image.c) and hands over to qemu.c.
 * The options and exit codes are documented in docs/cli.md; keep the two in step. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "elf.h"
#include "host.h"
#include "image.h"
#include "pack.h"
#include "portproxy.h"
#include "qemu.h"
#include "util.h"

#define MONOS_VERSION "0.1.0"
#define QEMU_BINARY "qemu-system-x86_64"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char usage_text[] =
"Usage: monos run [OPTIONS] PROGRAM [ARGS...]\n"
"       monos --help | --version\n"
"\n"
"Runs a Linux x86-64 executable (static or dynamic) in a small QEMU virtual machine.\n"
"\n"
"Options of `run` (before PROGRAM):\n"
"  -e, --env K=V|K        set K in the guest environment (K alone: copy it from here)\n"
"      --add HOST[:GUEST] put a file or directory tree in the guest (default GUEST: the\n"
"                         absolute HOST path)\n"
"      --profile FILE     also use this profile (extra trees for an interpreter)\n"
"      --no-profiles      do not use the built-in profiles (python3, lua5.4, perl)\n"
"      --allow-missing    a shared library that is not found is only a warning\n"
"  -w, --workdir DIR      the guest working directory (default: the current one)\n"
"  -m, --mem SIZE         guest memory, QEMU syntax (default 128M)\n"
"      --smp N            virtual CPUs (default 1)\n"
"  -M, --machine TYPE     microvm (default), q35 or pc\n"
"      --net MODE         the guest's network: none (default), user (QEMU's NAT; the\n"
"                         guest is 10.0.2.15 by DHCP) or tap=IFACE (an existing tap)\n"
"  -p, --publish H:G[/udp] forward the host's 127.0.0.1:H to guest port G, TCP unless\n"
"                         /udp (repeatable; implies --net user)\n"
"      --accel MODE       auto (default: KVM when /dev/kvm is usable), kvm or tcg\n"
"      --icount           TCG with -icount shift=0: the guest TSC counts instructions\n"
"      --timeout SECS     stop the VM after SECS seconds (exit status 124)\n"
"      --trace=LIST       on stderr, a comma-separated list of: syscalls (every system\n"
"                         call of the program), futex (every futex operation)\n"
"      --sched POLICY     the guest's scheduling policy: rr (default, preemptive round\n"
"                         robin) or fifo (cooperative, run to block)\n"
"      --no-aslr          no address space randomization in the guest\n"
"      --missing-files    the kernel reports files the program looked for in vain\n"
"      --kernel PATH      the monos kernel (default: kernel.elf beside this program)\n"
"      --qemu-arg ARG     append ARG to the QEMU command line (repeatable)\n"
"      --kernel-arg WORD  append WORD to the kernel command line (repeatable)\n"
"      --save-image PATH  write the initramfs to PATH and keep it (no cache)\n"
"      --cache-dir DIR    where built images are kept (default ~/.cache/monos)\n"
"      --no-cache         build the image afresh and do not keep it\n"
"      --dry-run          print the QEMU command line and exit\n"
"  -v, --verbose          say what monos does; the kernel log goes to the console\n"
"  -h, --help             this help\n"
"\n"
"Exit status: PROGRAM's own, or 124 timeout, 125 monos failed (or kernel panic),\n"
"126 PROGRAM cannot be run, 127 PROGRAM, a library of it or QEMU not found,\n"
"128+n signal n.\n";

enum {
	OPT_SMP = 256, OPT_SCHED, OPT_ACCEL, OPT_ICOUNT, OPT_TIMEOUT, OPT_TRACE, OPT_NO_ASLR,
	OPT_KERNEL, OPT_QEMU_ARG, OPT_SAVE_IMAGE, OPT_DRY_RUN, OPT_ADD, OPT_VERSION,
	OPT_CACHE_DIR, OPT_NO_CACHE, OPT_ALLOW_MISSING, OPT_MISSING_FILES, OPT_PROFILE,
	OPT_NO_PROFILES, OPT_NET, OPT_KERNEL_ARG,
};

static const struct option run_options[] = {
	{ "env",	required_argument, NULL, 'e' },
	{ "add",	required_argument, NULL, OPT_ADD },
	{ "workdir",	required_argument, NULL, 'w' },
	{ "mem",	required_argument, NULL, 'm' },
	{ "smp",	required_argument, NULL, OPT_SMP },
	{ "machine",	required_argument, NULL, 'M' },
	{ "accel",	required_argument, NULL, OPT_ACCEL },
	{ "icount",	no_argument,       NULL, OPT_ICOUNT },
	{ "timeout",	required_argument, NULL, OPT_TIMEOUT },
	{ "trace",	required_argument, NULL, OPT_TRACE },
	{ "sched",	required_argument, NULL, OPT_SCHED },
	{ "no-aslr",	no_argument,       NULL, OPT_NO_ASLR },
	{ "kernel",	required_argument, NULL, OPT_KERNEL },
	{ "qemu-arg",	required_argument, NULL, OPT_QEMU_ARG },
	{ "kernel-arg",	required_argument, NULL, OPT_KERNEL_ARG },
	{ "net",	required_argument, NULL, OPT_NET },
	{ "publish",	required_argument, NULL, 'p' },
	{ "save-image",	required_argument, NULL, OPT_SAVE_IMAGE },
	{ "dry-run",	no_argument,       NULL, OPT_DRY_RUN },
	{ "cache-dir",	required_argument, NULL, OPT_CACHE_DIR },
	{ "no-cache",	no_argument,       NULL, OPT_NO_CACHE },
	{ "allow-missing", no_argument,    NULL, OPT_ALLOW_MISSING },
	{ "missing-files", no_argument,    NULL, OPT_MISSING_FILES },
	{ "profile",	required_argument, NULL, OPT_PROFILE },
	{ "no-profiles", no_argument,      NULL, OPT_NO_PROFILES },
	{ "verbose",	no_argument,       NULL, 'v' },
	{ "help",	no_argument,       NULL, 'h' },
	{ "version",	no_argument,       NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

enum accel_choice { ACCEL_AUTO, ACCEL_WANT_KVM, ACCEL_WANT_TCG };

struct run_opts {
	struct strvec env_args;		/* -e values in order */
	struct image_add *adds;
	size_t nadds;
	const char *workdir;
	const char *mem;
	unsigned smp;
	const char *machine;
	enum accel_choice accel;
	bool icount, trace_syscalls, trace_futex, trace_signals, no_aslr, dry_run, verbose;
	const char *sched;
	bool no_cache, allow_missing, missing_files, no_profiles;
	double timeout;
	const char *kernel;
	struct strvec qemu_args;
	struct strvec kernel_args;	/* --kernel-arg words */
	struct net_config net;
	bool net_given;			/* --net was given (-p then needs user) */
	bool nfwd_seen;			/* a -p was given */
	const char *save_image;
	const char *cache_dir;
	struct strvec profiles;		/* --profile files */
};

/* ---- the temporary directory, removed on every way out ---- */

static char tmp_dir[PATH_MAX];
static char tmp_image[PATH_MAX + 32];
static char tmp_uncached[PATH_MAX + 128];	/* an image built in the cache but not kept */

static void remove_tmp(void)
{
	if (tmp_image[0])
		unlink(tmp_image);
	if (tmp_uncached[0])
		unlink(tmp_uncached);
	if (tmp_dir[0])
		rmdir(tmp_dir);
}

/* SIGINT/SIGTERM before QEMU runs (e.g. while stdin is read): clean up, then die of the
 * signal so the caller sees it. Only async-signal-safe calls. */
static void on_fatal_signal(int sig)
{
	remove_tmp();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void make_tmp_dir(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if (snprintf(tmp_dir, sizeof(tmp_dir), "%s/monos.XXXXXX", base) >= (int)sizeof(tmp_dir))
		die(EXIT_TOOL, "TMPDIR is too long");
	if (!mkdtemp(tmp_dir)) {
		int err = errno;
		tmp_dir[0] = '\0';
		die(EXIT_TOOL, "cannot create a temporary directory in %s: %s", base, strerror(err));
	}
	atexit(remove_tmp);
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_fatal_signal);
}

/* ---- option values ---- */

static noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'monos --help'.\n");
	exit(EXIT_TOOL);
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* QEMU's -m syntax, as far as we accept it: a number (decimals allowed), an optional
 * K/M/G/T suffix (MiB without one). */
static bool valid_mem(const char *s)
{
	size_t i = strspn(s, "0123456789");
	if (i == 0)
		return false;
	if (s[i] == '.') {
		size_t j = strspn(s + i + 1, "0123456789");
		if (j == 0)
			return false;
		i += 1 + j;
	}
	if (s[i] && strchr("KkMmGgTt", s[i]))
		i++;
	return s[i] == '\0';
}

/* Sets "K=V" in ENV, replacing an earlier K. */
static void env_set(struct strvec *env, const char *kv)
{
	size_t klen = strchr(kv, '=') - kv;
	for (size_t i = 0; i < env->n; i++) {
		if (strncmp(env->v[i], kv, klen) == 0 && env->v[i][klen] == '=') {
			free(env->v[i]);
			env->v[i] = xstrdup(kv);
			return;
		}
	}
	strvec_push(env, kv);
}

/* The guest environment: the defaults, then each -e in order (docker's rules). */
static void build_env(const struct run_opts *o, struct strvec *env)
{
	strvec_push(env, "PATH=" DEFAULT_PATH);
	strvec_push(env, "HOME=/root");
	const char *term = getenv("TERM");
	if (term && isatty(1))
		strvec_pushf(env, "TERM=%s", term);
	for (size_t i = 0; i < o->env_args.n; i++) {
		const char *a = o->env_args.v[i];
		if (strchr(a, '=')) {
			env_set(env, a);
		} else {
			const char *v = getenv(a);
			if (v) {
				char *kv = xasprintf("%s=%s", a, v);
				env_set(env, kv);
				free(kv);
			}
		}
	}
}

static void parse_run_options(int argc, char **argv, struct run_opts *o)
{
	unsigned long v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:w:m:M:p:vh", run_options, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (!*optarg || *optarg == '=')
				usage_error("-e %s: the variable name is empty", optarg);
			strvec_push(&o->env_args, optarg);
			break;
		case OPT_ADD:
			o->adds = xrealloc(o->adds, (o->nadds + 1) * sizeof(*o->adds));
			if (image_parse_add(optarg, &o->adds[o->nadds]) < 0)
				exit(EXIT_TOOL);
			o->nadds++;
			break;
		case 'w':
			if (optarg[0] != '/')
				usage_error("--workdir %s: must be an absolute path", optarg);
			o->workdir = optarg;
			break;
		case 'm':
			if (!valid_mem(optarg))
				usage_error("--mem %s: expected a size such as 128M or 1G", optarg);
			o->mem = optarg;
			break;
		case OPT_SMP:
			if (!parse_uint(optarg, 255, &v) || v == 0)
				usage_error("--smp %s: expected a number of CPUs from 1 to 255", optarg);
			o->smp = v;
			break;
		case OPT_NET:
			if (net_parse_backend(&o->net, optarg) < 0)
				usage_error("--net %s: expected none, user or tap=IFACE", optarg);
			if (o->nfwd_seen && o->net.backend != NET_USER)
				usage_error("--net %s: port forwards (-p) need --net user", optarg);
			o->net_given = true;
			break;
		case 'p':
			if (net_parse_forward(&o->net, optarg) < 0)
				usage_error("-p %s: expected HOST:GUEST or HOST:GUEST/udp (ports 1 to 65535)",
					    optarg);
			if (o->net_given && o->net.backend != NET_USER)
				usage_error("-p %s: port forwards need --net user", optarg);
			o->net.backend = NET_USER;
			o->nfwd_seen = true;
			break;
		case OPT_KERNEL_ARG:
			if (!*optarg || strchr(optarg, ' '))
				usage_error("--kernel-arg '%s': expected one word", optarg);
			strvec_push(&o->kernel_args, optarg);
			break;
		case 'M':
			if (strcmp(optarg, "microvm") && strcmp(optarg, "q35") && strcmp(optarg, "pc"))
				usage_error("--machine %s: expected microvm, q35 or pc", optarg);
			o->machine = optarg;
			break;
		case OPT_ACCEL:
			if (!strcmp(optarg, "auto"))
				o->accel = ACCEL_AUTO;
			else if (!strcmp(optarg, "kvm"))
				o->accel = ACCEL_WANT_KVM;
			else if (!strcmp(optarg, "tcg"))
				o->accel = ACCEL_WANT_TCG;
			else
				usage_error("--accel %s: expected auto, kvm or tcg", optarg);
			break;
		case OPT_ICOUNT:
			o->icount = true;
			break;
		case OPT_TIMEOUT: {
			char *end;
			errno = 0;
			o->timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(o->timeout) ||
			    o->timeout <= 0)
				usage_error("--timeout %s: expected a positive number of seconds",
					    optarg);
			break;
		}
		case OPT_TRACE: {
			char *list = xstrdup(optarg), *save = NULL;
			for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
				if (strcmp(w, "syscalls") == 0)
					o->trace_syscalls = true;
				else if (strcmp(w, "futex") == 0)
					o->trace_futex = true;
				else if (strcmp(w, "signals") == 0)
					o->trace_signals = true;
				else
					usage_error("--trace=%s: traces are 'syscalls', 'futex' and 'signals'",
						    optarg);
			}
			free(list);
			break;
		}
		case OPT_SCHED:
			if (strcmp(optarg, "rr") != 0 && strcmp(optarg, "fifo") != 0)
				usage_error("--sched %s: the policies are 'rr' and 'fifo'", optarg);
			o->sched = optarg;
			break;
		case OPT_NO_ASLR:
			o->no_aslr = true;
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_QEMU_ARG:
			strvec_push(&o->qemu_args, optarg);
			break;
		case OPT_SAVE_IMAGE:
			o->save_image = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_CACHE_DIR:
			if (optarg[0] != '/')
				usage_error("--cache-dir %s: must be an absolute path", optarg);
			o->cache_dir = optarg;
			break;
		case OPT_NO_CACHE:
			o->no_cache = true;
			break;
		case OPT_ALLOW_MISSING:
			o->allow_missing = true;
			break;
		case OPT_MISSING_FILES:
			o->missing_files = true;
			break;
		case OPT_PROFILE:
			strvec_push(&o->profiles, optarg);
			break;
		case OPT_NO_PROFILES:
			o->no_profiles = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case OPT_VERSION:
			printf("monos %s\n", MONOS_VERSION);
			exit(0);
		case ':':
			usage_error("option %s needs a value", argv[optind - 1]);
		default:
			if (optopt && optopt < 256)
				usage_error("unknown option -%c", optopt);
			usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("run: which program? (monos run [OPTIONS] PROGRAM [ARGS...])");
}

/* ---- PROGRAM ---- */

/* Finds and checks PROGRAM; returns its absolute symlink-free path or exits. *found: the
 * path as found, before symlinks are resolved. */
static char *resolve_program(const char *typed, bool verbose, char **found_out)
{
	char *found;
	struct stat st;

	if (strchr(typed, '/')) {
		if (stat(typed, &st) != 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				die(EXIT_NOTFOUND, "%s: not found", typed);
			die(EXIT_NOEXEC, "%s: %s", typed, strerror(errno));
		}
		found = xstrdup(typed);
	} else {
		int err;
		found = path_search(typed, &err);
		if (!found && err == EACCES)
			die(EXIT_NOEXEC, "%s: permission denied (not executable)", typed);
		if (!found)
			die(EXIT_NOTFOUND, "%s: not found", typed);
	}

	char *exe = realpath(found, NULL);
	if (!exe)
		die(EXIT_NOEXEC, "%s: %s", typed, strerror(errno));
	*found_out = found;
	if (stat(exe, &st) != 0)
		die(EXIT_NOEXEC, "%s: %s", typed, strerror(errno));
	if (S_ISDIR(st.st_mode))
		die(EXIT_NOEXEC, "%s: is a directory", typed);
	if (!S_ISREG(st.st_mode))
		die(EXIT_NOEXEC, "%s: not an x86-64 ELF executable", typed);
	if (access(exe, X_OK) != 0)
		die(EXIT_NOEXEC, "%s: permission denied (not executable)", typed);

	struct elf_info info;
	int r = elf_inspect(exe, &info);
	if (r < 0)
		die(EXIT_NOEXEC, "%s: %s", typed, strerror(-r));
	if (info.kind == ELF_INVALID) {
		if (verbose)
			msg("%s: %s", exe, info.why);
		die(EXIT_NOEXEC, "%s: not an x86-64 ELF executable", typed);
	}
	if (verbose && info.kind == ELF_DYNAMIC)
		msg("program: %s (dynamic, interpreter %s)", exe, info.interp);
	else if (verbose)
		msg("program: %s (%s)", exe, elf_kind_name(info.kind));
	return exe;
}

/* --kernel, or kernel.elf in the directory of this executable. */
static char *kernel_path(const char *opt)
{
	if (opt)
		return xstrdup(opt);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die(EXIT_TOOL, "cannot find the kernel: /proc/self/exe: %s (pass --kernel)",
		    strerror(errno));
	self[n] = '\0';
	char *dir = path_dirname(self);
	char *k = xasprintf("%s/kernel.elf", dir);
	free(dir);
	return k;
}

/* ---- the image ---- */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Writes the image of PLAN and RUN to a new file PATH. */
static int write_image(const struct image_plan *plan, const struct image_run *run,
		       const char *path, bool *changed)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		msg("%s: %s", path, strerror(errno));
		return -1;
	}
	int r = image_write(plan, run, fd, path, changed);
	if (close(fd) != 0 && r == 0) {
		msg("writing %s: %s", path, strerror(errno));
		r = -1;
	}
	return r;
}

/* The cached image for PLAN and RUN (stdin left out when it has bytes), built into the
 * cache when it is not there yet; NULL when the cache cannot be used. */
static char *cached_image(const struct run_opts *o, const struct image_plan *plan,
			  const struct image_run *base, double t0)
{
	char *dir = o->cache_dir ? xstrdup(o->cache_dir) : cache_default_dir();
	if (!dir)
		return NULL;
	char key[65];
	cache_key(plan, base, key);
	char *image = cache_lookup(dir, key);
	if (image) {
		if (o->verbose)
			msg("image: %s from the cache (%.1f ms to plan and look up)", image,
			    now_ms() - t0);
		free(dir);
		return image;
	}
	char *tmp;
	int fd = cache_create(dir, &tmp, o->verbose);
	if (fd < 0) {
		free(dir);
		return NULL;
	}
	bool changed;
	int r = image_write(plan, base, fd, tmp, &changed);
	if (close(fd) != 0 && r == 0) {
		msg("writing %s: %s", tmp, strerror(errno));
		r = -1;
	}
	if (r < 0) {
		unlink(tmp);
		exit(EXIT_TOOL);
	}
	if (changed) {
		/* Good for this run only: removed when monos exits. */
		if (o->verbose)
			msg("image: a file changed while it was copied; not caching this image");
		snprintf(tmp_uncached, sizeof(tmp_uncached), "%s", tmp);
		image = tmp;
	} else {
		image = cache_commit(dir, tmp, key, o->verbose);
		free(tmp);
		if (image && o->verbose)
			msg("image: %s built in %.1f ms", image, now_ms() - t0);
	}
	free(dir);
	return image;
}

/* The image for this run: --save-image PATH, else from the cache (a copy with stdin
 * appended when stdin has bytes), else a file in the temporary directory. */
static char *make_image(const struct run_opts *o, const struct image_plan *plan,
			const struct image_run *run, double t0)
{
	bool changed;
	if (!o->save_image && !o->no_cache) {
		bool bytes = run->stdin_fd >= 0 && run->stdin_size > 0;
		struct image_run base = *run;
		if (bytes)
			base.stdin_fd = -1;
		char *cached = cached_image(o, plan, &base, t0);
		if (cached && !bytes)
			return cached;
		if (cached) {
			snprintf(tmp_image, sizeof(tmp_image), "%s/initramfs.cpio", tmp_dir);
			int fd = open(tmp_image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			int r = fd < 0 ? -1 : image_add_stdin(cached, run, fd, tmp_image);
			if (fd < 0)
				msg("%s: %s", tmp_image, strerror(errno));
			if (fd >= 0 && close(fd) != 0 && r == 0) {
				msg("writing %s: %s", tmp_image, strerror(errno));
				r = -1;
			}
			free(cached);
			return r < 0 ? NULL : xstrdup(tmp_image);
		}
	}
	const char *path = o->save_image;
	if (!path) {
		snprintf(tmp_image, sizeof(tmp_image), "%s/initramfs.cpio", tmp_dir);
		path = tmp_image;
	}
	if (write_image(plan, run, path, &changed) < 0)
		return NULL;
	if (o->verbose)
		msg("image: %s built in %.1f ms", path, now_ms() - t0);
	return xstrdup(path);
}

/* ---- run ---- */

static int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .mem = "128M", .smp = 1, .machine = "microvm" };
	parse_run_options(argc, argv, &o);
	const char *typed = argv[optind];

	char *found;
	char *exe = resolve_program(typed, o.verbose, &found);

	/* Launch prerequisites: fatal for a run, only warnings for --dry-run. */
	char *kernel = kernel_path(o.kernel);
	if (access(kernel, R_OK) != 0) {
		int err = errno;
		if (!o.dry_run && o.kernel)
			die(EXIT_TOOL, "--kernel %s: %s", kernel, strerror(err));
		if (!o.dry_run)
			die(EXIT_TOOL, "kernel not found: %s (build it with 'make build/kernel.elf', "
			    "or pass --kernel PATH)", kernel);
		msg("warning: kernel %s: %s", kernel, strerror(err));
	}
	int qerr;
	char *qemu = path_search(QEMU_BINARY, &qerr);
	if (!qemu) {
		if (!o.dry_run)
			die(EXIT_NOTFOUND, QEMU_BINARY " not found; install it with: "
			    "apt-get install qemu-system-x86");
		msg("warning: " QEMU_BINARY " not found in PATH");
		qemu = xstrdup(QEMU_BINARY);
	}

	enum accel accel = ACCEL_TCG;
	if (o.accel == ACCEL_WANT_KVM) {
		if (o.icount)
			usage_error("--icount needs TCG; it cannot be used with --accel kvm");
		int err = host_kvm_error();
		if (err && !o.dry_run)
			die(EXIT_TOOL, "--accel kvm: cannot open /dev/kvm: %s", strerror(err));
		if (err)
			msg("warning: cannot open /dev/kvm: %s", strerror(err));
		accel = ACCEL_KVM;
	} else if (o.accel == ACCEL_AUTO && !o.icount) {
		int err = host_kvm_error();
		accel = err ? ACCEL_TCG : ACCEL_KVM;
		if (o.verbose)
			msg("accel: %s", err ? "tcg (/dev/kvm is not usable)" : "kvm");
	}

	/* The guest's view: environment, working directory, stdin. */
	struct strvec env = { 0 };
	build_env(&o, &env);
	char *cwd = o.workdir ? path_normalize(o.workdir) : getcwd(NULL, 0);
	if (!cwd)
		cwd = xstrdup("/");
	unsigned tty_mask = host_tty_mask();
	bool stdin_tty = tty_mask & 1;
	bool stdin_null = !stdin_tty && host_stdin_is_null();

	/* What goes into the image; a missing library ends the run here (127). */
	double t0 = now_ms();
	struct image_plan plan;
	plan_init(&plan, o.verbose);
	struct pack_opts po = {
		.exe = exe,
		.found = found,
		.typed = typed,
		.env = env.v,
		.cwd = cwd,
		.adds = o.adds,
		.nadds = o.nadds,
		.profile_files = o.profiles.v,
		.no_builtin_profiles = o.no_profiles,
		.allow_missing = o.allow_missing,
		.verbose = o.verbose,
	};
	int code = pack_plan(&po, &plan);
	if (code)
		return code;

	make_tmp_dir();
	size_t mlen;
	char *manifest = pack_manifest(exe, argv + optind, env.v, cwd, &mlen);
	struct image_run run = { .manifest = manifest, .manifest_len = mlen, .stdin_fd = -1 };
	/* A dry run does not consume stdin: nothing would read it. */
	if (!stdin_tty && !stdin_null && !o.dry_run && pack_stdin(0, tmp_dir, &run) < 0)
		return EXIT_TOOL;
	char *image = make_image(&o, &plan, &run, t0);
	if (!image)
		return EXIT_TOOL;
	plan_free(&plan);
	free(manifest);

	struct vm_config vm = {
		.qemu = qemu,
		.kernel = kernel,
		.initrd = image,
		.machine = o.machine,
		.mem = o.mem,
		.smp = o.smp,
		.accel = accel,
		.icount = o.icount,
		.extra = o.qemu_args.v,
		.net = &o.net,
		.kernel_extra = o.kernel_args.v,
		.tty_mask = tty_mask,
		.trace_syscalls = o.trace_syscalls,
		.trace_futex = o.trace_futex,
		.trace_signals = o.trace_signals,
		.sched = o.sched,
		.kernel_verbose = o.verbose,
		.no_aslr = o.no_aslr,
		.missing_files = o.missing_files,
		.stdin_null = stdin_null,
		.timeout = o.timeout,
		.stdin_to_qemu = stdin_tty,
		.verbose = o.verbose,
	};
	/* The guest TSC: instructions under -icount shift=0 (1 GHz), the host's TSC under
	 * plain TCG; under KVM the kernel can ask the CPU and the hypervisor itself. */
	if (o.icount)
		vm.tsc_khz = 1000000;
	else if (accel == ACCEL_TCG)
		vm.tsc_khz = host_tsc_khz();

	/* Before the command line: it names the ports QEMU listens on behind monos's own. */
	if (!o.dry_run && o.net.backend == NET_USER && portproxy_prepare(&o.net) < 0)
		return EXIT_TOOL;
	struct strvec qargv = { 0 };
	qemu_argv(&vm, &qargv);
	if (o.dry_run || o.verbose) {
		struct strvec words = { 0 };
		size_t len = 0;
		for (size_t i = 0; i < qargv.n; i++) {
			char *q = shell_quote(qargv.v[i]);
			strvec_push(&words, q);
			len += strlen(q) + 1;
			free(q);
		}
		char *line = xmalloc(len + 1), *p = line;
		for (size_t i = 0; i < words.n; i++)
			p += sprintf(p, "%s%s", i ? " " : "", words.v[i]);
		if (o.dry_run)
			printf("%s\n", line);
		else
			msg("qemu: %s", line);
		free(line);
		strvec_free(&words);
	}
	if (o.dry_run) {
		code = 0;
	} else {
		pid_t proxy = portproxy_start(&o.net);
		for (size_t i = 0; i < o.net.nfwds; i++)
			if (o.net.fwds[i].via)
				close(o.net.fwds[i].listen_fd);	/* the relay holds them now */
		code = proxy < 0 ? EXIT_TOOL : qemu_run(&vm, qargv.v);
		portproxy_stop(proxy);
	}

	strvec_free(&qargv);
	strvec_free(&env);
	free(cwd);
	free(qemu);
	free(kernel);
	free(exe);
	free(found);
	free(image);
	return code;
}

int main(int argc, char **argv)
{
	/* A closed stdout or stderr (`monos run ... | head -1`) must not kill monos before
	 * it has removed its temporary files; writes fail with EPIPE instead. QEMU gets the
	 * default back (qemu.c). */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_TOOL;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("monos %s\n", MONOS_VERSION);
		return 0;
	}
	usage_error("unknown command '%s'", cmd);
}
