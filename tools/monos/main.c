/* monos: the host command line. Parses `monos run [options] PROGRAM [ARGS...]`, checks
 * PROGRAM, builds the initramfs in a temporary directory and hands over to qemu.c.
 * The options and exit codes are documented in docs/cli.md; keep the two in step. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf.h"
#include "host.h"
#include "image.h"
#include "qemu.h"
#include "util.h"

#define MONOS_VERSION "0.1.0"
#define QEMU_BINARY "qemu-system-x86_64"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char usage_text[] =
"Usage: monos run [OPTIONS] PROGRAM [ARGS...]\n"
"       monos --help | --version\n"
"\n"
"Runs a static Linux x86-64 executable in a small QEMU virtual machine.\n"
"\n"
"Options of `run` (before PROGRAM):\n"
"  -e, --env K=V|K        set K in the guest environment (K alone: copy it from here)\n"
"      --add HOST[:GUEST] put a file or directory tree in the guest (default GUEST: the\n"
"                         absolute HOST path)\n"
"  -w, --workdir DIR      the guest working directory (default: the current one)\n"
"  -m, --mem SIZE         guest memory, QEMU syntax (default 128M)\n"
"      --smp N            virtual CPUs (default 1)\n"
"  -M, --machine TYPE     microvm (default), q35 or pc\n"
"      --accel MODE       auto (default: KVM when /dev/kvm is usable), kvm or tcg\n"
"      --icount           TCG with -icount shift=0: the guest TSC counts instructions\n"
"      --timeout SECS     stop the VM after SECS seconds (exit status 124)\n"
"      --trace=syscalls   print every system call of the program on stderr\n"
"      --no-aslr          no address space randomization in the guest\n"
"      --kernel PATH      the monos kernel (default: kernel.elf beside this program)\n"
"      --qemu-arg ARG     append ARG to the QEMU command line (repeatable)\n"
"      --save-image PATH  write the initramfs to PATH and keep it\n"
"      --dry-run          print the QEMU command line and exit\n"
"  -v, --verbose          say what monos does; the kernel log goes to the console\n"
"  -h, --help             this help\n"
"\n"
"Exit status: PROGRAM's own, or 124 timeout, 125 monos failed (or kernel panic),\n"
"126 PROGRAM cannot be run, 127 PROGRAM or QEMU not found, 128+n signal n.\n";

enum {
	OPT_SMP = 256, OPT_ACCEL, OPT_ICOUNT, OPT_TIMEOUT, OPT_TRACE, OPT_NO_ASLR,
	OPT_KERNEL, OPT_QEMU_ARG, OPT_SAVE_IMAGE, OPT_DRY_RUN, OPT_ADD, OPT_VERSION,
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
	{ "no-aslr",	no_argument,       NULL, OPT_NO_ASLR },
	{ "kernel",	required_argument, NULL, OPT_KERNEL },
	{ "qemu-arg",	required_argument, NULL, OPT_QEMU_ARG },
	{ "save-image",	required_argument, NULL, OPT_SAVE_IMAGE },
	{ "dry-run",	no_argument,       NULL, OPT_DRY_RUN },
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
	bool icount, trace_syscalls, no_aslr, dry_run, verbose;
	double timeout;
	const char *kernel;
	struct strvec qemu_args;
	const char *save_image;
};

/* ---- the temporary directory, removed on every way out ---- */

static char tmp_dir[PATH_MAX];
static char tmp_image[PATH_MAX + 32];

static void remove_tmp(void)
{
	if (tmp_image[0])
		unlink(tmp_image);
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
	while ((c = getopt_long(argc, argv, "+:e:w:m:M:vh", run_options, NULL)) != -1) {
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
		case OPT_TRACE:
			if (strcmp(optarg, "syscalls") != 0)
				usage_error("--trace=%s: the only trace is 'syscalls'", optarg);
			o->trace_syscalls = true;
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

/* Finds and checks PROGRAM; returns its absolute symlink-free path or exits. */
static char *resolve_program(const char *typed, bool verbose)
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
	free(found);
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
	if (info.kind == ELF_DYNAMIC) {
		if (verbose)
			msg("%s: interpreter %s", exe, info.interp);
		die(EXIT_NOEXEC, "%s is dynamically linked; only static executables are "
			"supported for now", typed);
	}
	if (verbose)
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

/* ---- run ---- */

static int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .mem = "128M", .smp = 1, .machine = "microvm" };
	parse_run_options(argc, argv, &o);
	const char *typed = argv[optind];

	char *exe = resolve_program(typed, o.verbose);

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

	make_tmp_dir();
	const char *image = o.save_image;
	if (!image) {
		snprintf(tmp_image, sizeof(tmp_image), "%s/initramfs.cpio", tmp_dir);
		image = tmp_image;
	}
	struct image_spec spec = {
		.exe = exe,
		.argv = argv + optind,
		.env = env.v,
		.cwd = cwd,
		.adds = o.adds,
		.nadds = o.nadds,
		/* A dry run does not consume stdin: nothing would read it. */
		.stdin_fd = stdin_tty || stdin_null || o.dry_run ? -1 : 0,
		.tmpdir = tmp_dir,
		.verbose = o.verbose,
	};
	if (image_build(&spec, image) < 0)
		return EXIT_TOOL;

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
		.tty_mask = tty_mask,
		.trace_syscalls = o.trace_syscalls,
		.kernel_verbose = o.verbose,
		.no_aslr = o.no_aslr,
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
	int code = o.dry_run ? 0 : qemu_run(&vm, qargv.v);

	strvec_free(&qargv);
	strvec_free(&env);
	free(cwd);
	free(qemu);
	free(kernel);
	free(exe);
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
