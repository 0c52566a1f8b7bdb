/* The AF_INET family as the socket layer sees it (net/socket.c): inet_create makes an AF_INET
 * socket's state and picks TCP's or UDP's operations for s->ops. */
#pragma once
struct socket;
int inet_create(struct socket *s);
