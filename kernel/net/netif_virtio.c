/* lwIP's netif over virtio-net (drivers/virtio/net.h): frames out through vnet_send, frames in
 * from the device's receive callback into ethernet_input, ARP by etharp, and DHCP for the IPv4
 * address. Everything runs under the big kernel lock: the receive callback already holds it
 * (interrupt or vnet_poll), and the boot-time calls take it. */
#include "net/netif_virtio.h"
#include "net/lwip_port.h"
#include "drivers/virtio/net.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "core/time.h"
#include "arch/x86_64/cpu.h"
#include "sched/bkl.h"
#include "sched/ktimer.h"
#include "errno.h"
#include "lib/string.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/ip4_addr.h"
#include "lwip/ip6_addr.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

static struct netif en0;
static bool started;
static bool address_logged;
static u64 dhcp_started_ns; /* for the log: how long DHCP took */

/* lwIP is not reentrant: a frame that arrives while linkoutput polls the device for a transmit
 * slot (lwIP is then inside an output call) waits here, and a kernel timer due at once hands
 * it to lwIP from a clean context. Beyond the queue's size, frames are dropped as a full ring
 * would drop them. */
#define DEFERRED_MAX 64
static bool in_output;
static struct pbuf *deferred[DEFERRED_MAX];
static unsigned n_deferred;
static struct ktimer deferred_timer;

/* How long a frame may wait for a transmit slot (the device frees them on its own, from QEMU's
 * I/O thread) before it is dropped as a lost packet would be; TCP resends it. */
#define TX_WAIT_NS 50000000ull

/* Where a TCP segment's checksum starts and the pseudo-header sum its checksum field must
 * hold when the device completes it (virtio 1.2, 5.1.6.2, as Linux's CHECKSUM_PARTIAL): false
 * for anything else, which lwIP checksummed itself. en0's lwIP leaves TCP checksums out (0)
 * only when the device offers to compute them. */
static bool tcp_partial(u8 *frame, size_t len, u16 *start)
{
	if (len < 14)
		return false;
	u16 type = (u16)(frame[12] << 8 | frame[13]);
	u32 sum = 0;
	size_t l4, l4_len;
	if (type == 0x0800) {
		const u8 *ip = frame + 14;
		if (len < 14 + 20 || ip[9] != 6)
			return false;
		size_t ihl = (size_t)(ip[0] & 0xf) * 4, total = (size_t)(ip[2] << 8 | ip[3]);
		if (ihl < 20 || total < ihl || 14 + total > len)
			return false;
		for (int i = 12; i < 20; i += 2) /* source and destination */
			sum += (u32)(ip[i] << 8 | ip[i + 1]);
		l4 = 14 + ihl;
		l4_len = total - ihl;
	} else if (type == 0x86dd) {
		const u8 *ip = frame + 14;
		if (len < 14 + 40 || ip[6] != 6) /* TCP right after the fixed header only */
			return false;
		for (int i = 8; i < 40; i += 2)
			sum += (u32)(ip[i] << 8 | ip[i + 1]);
		l4 = 14 + 40;
		l4_len = (size_t)(ip[4] << 8 | ip[5]);
		if (l4 + l4_len > len)
			return false;
	} else {
		return false;
	}
	if (l4_len < 20)
		return false;
	sum += 6 + (u32)l4_len;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	frame[l4 + 16] = (u8)(sum >> 8); /* not inverted: the device adds the rest and inverts */
	frame[l4 + 17] = (u8)sum;
	*start = (u16)l4;
	return true;
}

static err_t linkoutput(struct netif *n, struct pbuf *p)
{
	static u8 flat[VNET_MAX_FRAME];
	u8 *frame = p->payload;
	if (p->tot_len > sizeof(flat))
		return ERR_IF;
	if (p->len != p->tot_len) { /* a chain: gather it (vnet_send copies again anyway) */
		pbuf_copy_partial(p, flat, p->tot_len, 0);
		frame = flat;
	}
	/* tcp_partial may write the pseudo-header sum into lwIP's own segment: lwIP zeroes the
	 * field again before it sends a segment again (tcp_output_segment). */
	u16 csum_start = 0;
	bool partial = vnet_tx_csum_offload() && tcp_partial(frame, p->tot_len, &csum_start);
	u64 give_up = 0;
	int err;
	while ((err = partial ? vnet_send_partial(frame, p->tot_len, csum_start, 16)
			      : vnet_send(frame, p->tot_len)) == -ENOBUFS) {
		u64 now = time_monotonic_ns();
		if (!give_up)
			give_up = now + TX_WAIT_NS;
		else if (now >= give_up)
			return ERR_MEM;
		in_output = true;
		vnet_poll(); /* reclaims sent slots; frames received meanwhile are deferred */
		in_output = false;
		cpu_relax();
	}
	return err ? ERR_IF : ERR_OK;
}

/* monos.ip=ADDR/PREFIX[,GATEWAY] (prefix 0-32): a static address and default gateway. False,
 * with a message, when the text is not one. */
static bool parse_static(const char *text, ip4_addr_t *ip, ip4_addr_t *mask, ip4_addr_t *gw)
{
	char buf[sizeof(options.net_ip)];
	memcpy(buf, text, strlen(text) + 1); /* cmdline.c kept it shorter than buf */
	char *slash = strchr(buf, '/'), *comma = strchr(buf, ',');
	ip4_addr_set_zero(gw);
	if (!slash || (comma && comma < slash))
		goto bad;
	*slash = '\0';
	if (comma)
		*comma = '\0';
	unsigned prefix = 0;
	const char *d = slash + 1;
	if (!*d)
		goto bad;
	for (; *d; d++) {
		if (*d < '0' || *d > '9' || (prefix = prefix * 10 + (unsigned)(*d - '0')) > 32)
			goto bad;
	}
	if (!ip4addr_aton(buf, ip) || (comma && !ip4addr_aton(comma + 1, gw)))
		goto bad;
	ip4_addr_set_u32(mask, prefix ? lwip_htonl(0xffffffffu << (32 - prefix)) : 0);
	return true;
bad:
	kerr("monos: monos.ip=%s: expected ADDR/PREFIX[,GATEWAY]; using DHCP\n", text);
	return false;
}

/* Whether en0 has its IPv4 address: static, or bound by DHCP. */
static bool have_address(void)
{
	return !ip4_addr_isany_val(*netif_ip4_addr(&en0));
}

static void log_address(void)
{
	if (address_logged || !dhcp_supplied_address(&en0))
		return;
	address_logged = true;
	char ip[IP4ADDR_STRLEN_MAX], mask[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX];
	ip4addr_ntoa_r(netif_ip4_addr(&en0), ip, sizeof(ip));
	ip4addr_ntoa_r(netif_ip4_netmask(&en0), mask, sizeof(mask));
	ip4addr_ntoa_r(netif_ip4_gw(&en0), gw, sizeof(gw));
	kprintf("net: en0 %s netmask %s gateway %s (DHCP, %lu us)\n", ip, mask, gw,
		(time_monotonic_ns() - dhcp_started_ns) / 1000);
}

static void input(struct pbuf *p)
{
	if (en0.input(p, &en0) != ERR_OK)
		pbuf_free(p);
}

static void deferred_fired(struct ktimer *t)
{
	for (unsigned i = 0; i < n_deferred; i++)
		input(deferred[i]);
	n_deferred = 0;
	lwip_port_pump();
	log_address();
}

static void on_frame(const void *frame, size_t len)
{
	if (in_output && n_deferred == DEFERRED_MAX)
		return;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p)
		return; /* out of memory: dropped, as a full ring would */
	pbuf_take(p, frame, (u16_t)len);
	if (in_output) {
		deferred[n_deferred++] = p;
		ktimer_arm(&deferred_timer, time_monotonic_ns());
		return;
	}
	input(p);
	lwip_port_pump(); /* replies to loopback, delayed ACKs, lwIP's timer re-armed */
	log_address();
}

static err_t en0_init(struct netif *n)
{
	n->name[0] = 'e';
	n->name[1] = 'n';
	n->hwaddr_len = ETH_HWADDR_LEN;
	vnet_mac(n->hwaddr);
	n->mtu = vnet_mtu();
#if LWIP_IPV6
	n->mtu6 = n->mtu;
	n->output_ip6 = ethip6_output;
#endif
	n->output = etharp_output;
	n->linkoutput = linkoutput;
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		   NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	/* A device that computes checksums on transmit gets TCP segments with only the
	 * pseudo-header sum in place (linkoutput, tcp_partial). */
	NETIF_SET_CHECKSUM_CTRL(n, vnet_tx_csum_offload()
					   ? NETIF_CHECKSUM_ENABLE_ALL & ~NETIF_CHECKSUM_GEN_TCP
					   : NETIF_CHECKSUM_ENABLE_ALL);
	return ERR_OK;
}

void netif_virtio_start(void)
{
	if (!vnet_present() || started)
		return;
	started = true;
	ktimer_init(&deferred_timer, deferred_fired);
	bkl_lock();
	lwip_port_start();
	if (!netif_add(&en0, NULL, NULL, NULL, NULL, en0_init, ethernet_input)) {
		kprintf("net: could not add the virtio-net interface\n");
		bkl_unlock();
		return;
	}
	netif_set_default(&en0);
#if LWIP_IPV6
	/* fe80::/64 from the MAC; no duplicate detection (LWIP_IPV6_DUP_DETECT_ATTEMPTS 0), so
	 * it is valid at once. */
	netif_create_ip6_linklocal_address(&en0, 1);
	netif_ip6_addr_set_state(&en0, 0, IP6_ADDR_PREFERRED);
	en0.ip6_autoconfig_enabled = 1; /* global addresses from router advertisements */
#endif
	netif_set_link_up(&en0);
	netif_set_up(&en0);
	vnet_set_rx(on_frame);
	ip4_addr_t ip, mask, gw;
	if (options.net_ip[0] && parse_static(options.net_ip, &ip, &mask, &gw)) {
		netif_set_addr(&en0, &ip, &mask, &gw);
		kprintf("net: en0 %s (static)\n", options.net_ip);
	} else {
		dhcp_started_ns = time_monotonic_ns();
		err_t err = dhcp_start(&en0);
		if (err != ERR_OK)
			kprintf("net: DHCP did not start (lwIP error %d)\n", err);
	}
	lwip_port_pump();
	bkl_unlock();
}

void netif_virtio_wait_address(u32 timeout_ms)
{
	if (!started)
		return;
	u64 start = time_monotonic_ns(), deadline = start + (u64)timeout_ms * 1000000;
	bkl_lock();
	/* Interrupts are off in the kernel: poll the device and run lwIP's timeouts (DHCP's
	 * retransmissions) by hand. */
	while (!have_address() && time_monotonic_ns() < deadline) {
		vnet_poll();
		if (n_deferred && ktimer_cancel(&deferred_timer))
			deferred_fired(&deferred_timer); /* no timer interrupt in this loop */
		sys_check_timeouts();
		bkl_unlock();
		cpu_relax();
		bkl_lock();
	}
	log_address();
	if (!have_address())
		kprintf("net: no DHCP address within %u ms; starting without one\n", timeout_ms);
	else
		kprintf("net: address bound %lu us after the wait began\n",
		(time_monotonic_ns() - start) / 1000);
	lwip_port_pump();
	bkl_unlock();
}
