/* What <linux/if.h> takes from the C library's <sys/socket.h>: struct sockaddr, which Linux's
 * UAPI headers do not export (the kernel's own is in include/linux/socket.h). Only there so the
 * kernel can use struct ifreq and struct ifconf from the UAPI header itself. */
#pragma once
#include <linux/socket.h>

struct sockaddr {
	__kernel_sa_family_t sa_family;
	char sa_data[14];
};
