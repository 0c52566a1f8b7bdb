/* A fault the app did not (cannot yet) handle: report it and end the process as Linux would. */
#pragma once
#include "types.h"

struct regs;
void __noreturn user_fault(struct regs *r, int signo, int code, u64 addr);
const char *signal_name(int signo);
/* Ends the process as signal signo's default action does (exit status 128+signo). */
void __noreturn signal_terminate(int signo);
