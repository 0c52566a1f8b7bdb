/*
 * procfs_net: /proc/net as programs read it. /proc/net links to self/net;
 * /proc/net/dev has its two header lines and a "lo:" line; /proc/net/route
 * starts with its header; /proc/net/if_inet6 lists lo's ::1; a listening TCP
 * socket on 127.0.0.1 shows in /proc/net/tcp (state 0A, its inode), one on
 * ::1 in /proc/net/tcp6, bound UDP sockets in /proc/net/udp and udp6 (state
 * 07). Only our own sockets and lo are looked at: the host's others are its
 * business.
 */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static char text[1 << 20];

static int slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	return (int)n;
}

static const char DEV_HEADER[] =
	"Inter-|   Receive                                                |  Transmit\n"
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
	"drop fifo colls carrier compressed\n";

static void check_dev(void)
{
	if (!check(slurp("/proc/net/dev") > 0, "dev_read", "%s", errno_name(errno)))
		return;
	check(!strncmp(text, DEV_HEADER, strlen(DEV_HEADER)), "dev_header", "starts \"%.60s\"", text);
	check(strstr(text, "\n    lo: ") != NULL, "dev_lo", "no lo line");
	/* Every interface line has 16 counters. */
	char *lo = strstr(text, "\n    lo: ");
	if (lo) {
		unsigned long long v[16];
		int got = sscanf(lo + 9, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
				 "%llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
				 &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]);
		check_eq("dev_lo_columns", got, 16);
	}
	char self[sizeof(DEV_HEADER)];
	memcpy(self, text, sizeof(self) - 1);
	check(slurp("/proc/self/net/dev") > 0 && !strncmp(text, self, sizeof(self) - 1),
	      "self_net_dev", "differs");
}

/* lo's ::1: address, index 1, prefix 128, scope host (IFA_HOST); then flags and name. */
static void check_if_inet6(void)
{
	if (!check(slurp("/proc/net/if_inet6") > 0, "if_inet6_read", "%s", errno_name(errno)))
		return;
	char *row = strstr(text, "00000000000000000000000000000001 01 80 10 ");
	check(row && (row == text || row[-1] == '\n') && strstr(row, "       lo\n") == row + 44,
	      "if_inet6_lo", "no ::1 row for lo in \"%.200s\"", text);
}

static void check_route(void)
{
	char target[64] = "";
	ssize_t n = readlink("/proc/net", target, sizeof(target) - 1);
	if (n > 0)
		target[n] = 0;
	check(!strcmp(target, "self/net"), "net_link", "readlink gave \"%s\"", target);
	if (!check(slurp("/proc/net/route") > 0, "route_read", "%s", errno_name(errno)))
		return;
	char want[129];
	snprintf(want, sizeof(want), "%-127s\n",
		 "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	check(!strncmp(text, want, 128), "route_header", "starts \"%.60s\"", text);
}

/* The line of /proc/net/FILE whose local address is local (as the file prints it). */
static char *find_line(const char *file, const char *local)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/net/%s", file);
	if (slurp(path) <= 0)
		return NULL;
	char *p = strstr(text, local);
	if (!p)
		return NULL;
	char *end = strchr(p, '\n');
	if (end)
		*end = 0;
	return p;
}

/* "state inode" of a row after the local address: st, then 6 columns, then the inode. */
static int row_fields(const char *row, unsigned *state, unsigned long *inode)
{
	char st[8];
	unsigned long ino;
	if (sscanf(row, "%*s %*s %7s %*s %*s %*s %*s %*s %lu", st, &ino) != 2)
		return -1;
	*state = (unsigned)strtoul(st, NULL, 16);
	*inode = ino;
	return 0;
}

static unsigned long ino_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

static int bound(int family, int type, unsigned short *port)
{
	int fd = socket(family, type, 0);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4) < 0)) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void check_socket(const char *file, int family, int type, const char *addr,
			 unsigned want_state)
{
	unsigned short port = 0;
	int fd = bound(family, type, &port);
	char name[32], local[64];
	snprintf(name, sizeof(name), "%s_socket", file);
	if (!check_ok(name, fd))
		return;
	snprintf(local, sizeof(local), "%s:%04X ", addr, port);
	char *row = find_line(file, local);
	snprintf(name, sizeof(name), "%s_row", file);
	if (!check(row != NULL, name, "no row with %s", local))
		return;
	unsigned state = 0;
	unsigned long inode = 0;
	snprintf(name, sizeof(name), "%s_fields", file);
	if (!check(row_fields(row, &state, &inode) == 0, name, "row \"%s\"", row))
		return;
	snprintf(name, sizeof(name), "%s_state", file);
	check_eq(name, state, want_state);
	snprintf(name, sizeof(name), "%s_inode", file);
	check_eq(name, inode, ino_of(fd));
	close(fd);
}

int main(void)
{
	check_init("procfs_net");
	check_dev();
	check_route();
	check_if_inet6();
	check_socket("tcp", AF_INET, SOCK_STREAM, "0100007F", 0x0A);
	check_socket("udp", AF_INET, SOCK_DGRAM, "0100007F", 0x07);
	check_socket("tcp6", AF_INET6, SOCK_STREAM, "00000000000000000000000001000000", 0x0A);
	check_socket("udp6", AF_INET6, SOCK_DGRAM, "00000000000000000000000001000000", 0x07);
	return check_done();
}
