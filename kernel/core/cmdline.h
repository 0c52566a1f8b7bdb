/* Kernel command-line options (docs/protocol.md). */
#pragma once
#include "types.h"

struct options {
	u32 tty_mask;
	bool ctl_debugcon;
	bool trace_syscalls;
	bool trace_futex;   /* monos.trace=futex: one line per futex operation */
	bool trace_signals; /* monos.trace=signals: one line per signal sent, delivered, dropped */
	char sched_policy[16]; /* monos.sched=NAME (sched/policy.h); empty: the default */
	bool verbose;
	bool aslr;
	bool stdin_null;
	bool missing_files; /* monos.missing_files: report paths the app did not find */   /* monos.stdin=null: fd 0 is the null device */
	u64 tsc_khz;
	u32 netprobe_arp;   /* monos.netprobe=arp[:N]: N ARP requests at boot (drivers/virtio/net.h) */
	u32 memlog_seconds; /* monos.memlog=SECONDS: log free memory this often (core/memlog.h) */
	char net_ip[48];    /* monos.ip=ADDR/PREFIX[,GATEWAY]: a static IPv4 address instead of DHCP
			     * (net/netif_virtio.h); empty: DHCP */
};
extern struct options options;

void cmdline_parse(const char *cmdline);
