/* monos's own listener for each TCP port forward, relaying to QEMU's (portproxy.c says why). */
#ifndef MONOS_PORTPROXY_H
#define MONOS_PORTPROXY_H

#include <sys/types.h>

#include "net.h"

/* Listens on 127.0.0.1:HOST for each TCP forward and picks the loopback port QEMU's rule will
 * use (f->via, which net_qemu_args then names). 0, or -1 after a message (a port in use). */
int portproxy_prepare(struct net_config *n);
/* Forks the relay (it dies with monos); 0 when there is nothing to relay, -1 after a message. */
pid_t portproxy_start(struct net_config *n);
/* Stops the relay started by portproxy_start (pid 0: none). */
void portproxy_stop(pid_t pid);

#endif
