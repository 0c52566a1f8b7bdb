/* The system's names as uname(2) reports them; /proc/version and /proc/sys/kernel show the same
 * strings, so a program comparing the two sees one system. */
#pragma once

#define UTS_SYSNAME "Linux"
#define UTS_NODENAME "monos"
/* The Linux release we answer to: the ABI monos implements is 6.1's (Debian bookworm's), and
 * glibc checks the release against its minimum. */
#define UTS_RELEASE "6.1.0-monos"
#define UTS_VERSION "#1 SMP monos"
#define UTS_MACHINE "x86_64"
#define UTS_DOMAINNAME "(none)"
