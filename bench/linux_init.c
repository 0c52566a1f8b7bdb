/* /init of the Linux initramfs for the bench's dynamic programs (bench/programs.sh).
 * The initramfs is the very image `monos run --save-image` wrote, with this launcher and
 * /dev/console (and /dev/null) appended. The launcher runs what monos's kernel runs: it reads
 * the image's /.monos/manifest (docs/protocol.md: NUL-terminated records exe=, arg=, env=,
 * cwd=) and execve's exe with those argv and environment in that working directory, so both
 * sides start the program with the same arguments and the same environment, not Linux's
 * HOME=/ TERM=linux for init. stdin becomes /dev/null, as `monos run </dev/null` gives the
 * program (monos.stdin=null). It mounts nothing: the programs measured need no /proc.
 * Static, so it needs nothing from the image. When it cannot start the program it prints why
 * on the console and exits 1 (Linux then panics and the bench sees no "hello").
 *
 * For the network bench (bench/net.sh) the image may also hold /.bench/modules/ (kernel modules,
 * loaded in the order of their names: Debian's kernel has virtio, virtio_mmio and virtio_net as
 * modules) and /.bench/ip ("ADDR/PREFIX", as monos.ip= takes it): then the launcher loads the
 * modules, sets the address on the first interface that is not loopback and brings it and lo up
 * before it starts the program, so the server meets a configured network as it does on monos.
 * Without those files it does none of this. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST	"/.monos/manifest"
#define MAX_WORDS	256

static char buf[65536];

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "linux_init: %s %s: %m\n", what, path);
	return 1;
}

#define BENCH_MODULES	"/.bench/modules"
#define BENCH_IP	"/.bench/ip"

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Loads every module in BENCH_MODULES, in name order (the bench names them so that each comes
 * after what it depends on). A directory that is absent is no error: nothing to load. */
static int load_modules(void)
{
	struct dirent **names;
	char path[512];
	int n = scandir(BENCH_MODULES, &names, not_dot, by_name), failed = 0;

	if (n < 0)
		return errno == ENOENT ? 0 : fail("cannot list", BENCH_MODULES);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", BENCH_MODULES, names[i]->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0)
			failed = fail("cannot load module", path);
		if (fd >= 0)
			close(fd);
		free(names[i]);
	}
	free(names);
	return failed;
}

static int set_flags_up(int s, const char *ifname)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		return fail("SIOCGIFFLAGS", ifname);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		return fail("SIOCSIFFLAGS", ifname);
	return 0;
}

static int set_ipv4(int s, const char *ifname, unsigned long req, struct in_addr a)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	if (ioctl(s, req, &ifr) != 0)
		return fail(req == SIOCSIFADDR ? "SIOCSIFADDR" : "SIOCSIFNETMASK", ifname);
	return 0;
}

/* The first interface that is not loopback, waiting up to 2 s for the driver to register it
 * (virtio_net's probe runs within its module's load, so it is normally there at once). */
static int first_nic(char *name, size_t size)
{
	for (int tries = 0; tries < 200; tries++) {
		struct if_nameindex *ifs = if_nameindex();
		for (struct if_nameindex *i = ifs; i && i->if_name; i++) {
			if (strcmp(i->if_name, "lo") != 0) {
				snprintf(name, size, "%s", i->if_name);
				if_freenameindex(ifs);
				return 0;
			}
		}
		if (ifs)
			if_freenameindex(ifs);
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	fprintf(stderr, "linux_init: no network interface but lo\n");
	return 1;
}

/* BENCH_IP holds "ADDR/PREFIX": that address on the first NIC, which goes up with lo. */
static int configure_network(void)
{
	char text[64] = "", nic[IF_NAMESIZE], *slash;
	struct in_addr addr, mask;
	int fd = open(BENCH_IP, O_RDONLY), s, prefix, failed;
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? 0 : fail("cannot open", BENCH_IP);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	text[strcspn(text, "\n")] = '\0';
	slash = strchr(text, '/');
	prefix = slash ? atoi(slash + 1) : -1;
	if (slash)
		*slash = '\0';
	if (!slash || prefix < 1 || prefix > 32 || inet_pton(AF_INET, text, &addr) != 1) {
		fprintf(stderr, "linux_init: %s: want ADDR/PREFIX\n", BENCH_IP);
		return 1;
	}
	mask.s_addr = htonl(0xffffffffu << (32 - prefix));
	if (first_nic(nic, sizeof(nic)))
		return 1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return fail("cannot make a socket for", nic);
	failed = set_flags_up(s, "lo") || set_ipv4(s, nic, SIOCSIFADDR, addr) ||
		 set_ipv4(s, nic, SIOCSIFNETMASK, mask) || set_flags_up(s, nic);
	close(s);
	if (!failed)
		fprintf(stderr, "linux_init: %s %s/%d up\n", nic, text, prefix);
	return failed;
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
	if (load_modules() || configure_network())
		return 1;
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
