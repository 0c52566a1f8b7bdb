/* AF_NETLINK sockets, NETLINK_ROUTE only: the requests programs send to list interfaces and
 * addresses (glibc's and musl's getifaddrs and if_nameindex, iproute2, language runtimes),
 * answered from lwIP's interfaces as net/ifioctl.h names them. Lock: the big kernel lock. */
#pragma once
struct socket;
extern const struct proto_ops netlink_proto_ops;
/* socket(AF_NETLINK, type, protocol): ESOCKTNOSUPPORT unless SOCK_RAW or SOCK_DGRAM,
 * EPROTONOSUPPORT for any protocol but NETLINK_ROUTE (as a kernel without that protocol). */
int netlink_create(struct socket *s);
