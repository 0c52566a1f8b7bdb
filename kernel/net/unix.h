/* AF_UNIX sockets (net/unix.c): stream, datagram and seqpacket, bound to tmpfs paths or
 * abstract names, with SCM_RIGHTS and SCM_CREDENTIALS within the one process. */
#pragma once
#include "net/socket.h"
