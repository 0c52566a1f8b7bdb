/* lwIP in the kernel: starting it (the loopback interface with 127.0.0.1 and ::1), its clock
 * and timers, and delivering what loopback queued. Lock: the big kernel lock, held by every
 * caller and by the timer callback, serializes all of lwIP (NO_SYS). */
#pragma once

/* Starts lwIP once, on the first AF_INET/AF_INET6 socket, so boot pays nothing for it. */
void lwip_port_start(void);
/* After any lwIP call that may have sent: delivers the packets queued on loopback (which may
 * queue more: replies, ACKs) until none is left, sends the ACKs lwIP delayed 4 ms later unless
 * data carries them first, and re-arms lwIP's timer. */
void lwip_port_pump(void);
