/* lwIP's configuration for the monos kernel. NO_SYS: lwIP is called only with the big kernel
 * lock held (syscalls, the timer callback, later the network device's interrupt work), so it
 * needs no threads, semaphores or mailboxes of its own; its raw (callback) API serves the
 * socket layer in net/inet.c. Memory comes from the kernel heap, nothing is preallocated, so
 * lwIP adds nothing to boot but its init calls. */
#pragma once

#define NO_SYS 1
#define LWIP_TIMERS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_NETIF_API 0

/* Memory: kmalloc for the heap and for every pool (no static pools). */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
void *lwip_port_calloc(unsigned long n, unsigned long size);
#define mem_clib_malloc kmalloc
#define mem_clib_free kfree
#define mem_clib_calloc lwip_port_calloc

/* Protocols. Ethernet, ARP and DHCP serve the virtio-net interface (net/netif_virtio.c). */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_TCP 1
#define LWIP_UDP 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
/* Checksums chosen per interface: en0 leaves TCP's to a device that offers to compute it
 * (net/netif_virtio.c). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_DHCP 1
/* No ARP probe of the offered address: it would hold the boot a second or more, and QEMU's
 * user network (the usual DHCP server here) hands out each address once. */
#define DHCP_DOES_ARP_CHECK 0
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_IPV6_MLD 0
/* Stateless autoconfiguration from router advertisements (QEMU's user network announces
 * fec0::/64), so IPv6 reaches beyond the link. */
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 0
#define LWIP_ND6_NUM_NEIGHBORS 16
#define LWIP_ND6_NUM_DESTINATIONS 16
/* 64-bit pointers do not fit in the fragment header lwIP would reuse (its timer asserts it). */
#define IPV6_FRAG_COPYHEADER 1

/* Loopback: 127.0.0.1 and ::1 on lo; a packet sent to it is queued and delivered by
 * netif_poll, which net/lwip_port.c runs right after every call that can send. */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0

/* TCP: a 64 KiB window (no window scaling, so u16 windows). The MSS keeps every segment's
 * pbuf, and loopback's copy of it, within the kernel heap's largest size class (2 KiB with
 * its header): larger blocks take contiguous pages, which the page allocator never gets
 * back once freed (mm/pmm.c), so 8 KiB segments ran the machine out of memory after some
 * tens of MiB over loopback. */
#define TCP_MSS 1920
#define TCP_WND 65535
#define TCP_SND_BUF 65535
#define TCP_SND_QUEUELEN 128
#define TCP_SNDLOWAT 16384
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 0xff
#define LWIP_TCP_KEEPALIVE 1
#define TCP_QUEUE_OOSEQ 1
#define SO_REUSE 1
#define LWIP_CALLBACK_API 1

#define LWIP_STATS 0
#define LWIP_DEBUG_TIMERNAMES 0
