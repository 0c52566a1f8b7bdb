/*
 * null_deref.c: bad memory accesses kill the process with SIGSEGV, so the
 * parent sees status 139 (128 + 11). Usage: null_deref HOW. The harness
 * checks the status; the program prints a FAIL line only if it survives.
 */
// run: null_read 139 null_read
// run: null_write 139 null_write
// run: unmapped 139 unmapped
// run: kernel_address 139 kernel_address
// run: noncanonical 139 noncanonical
// run: text_write 139 text_write
// run: nx_exec 139 nx_exec
// run: stack_exec 139 stack_exec
// run: stack_overflow 139 stack_overflow
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* Opaque to the optimizer: a load or store through it is really made. */
static void *volatile target;

static const unsigned char ret_insn = 0xc3;

/* Never set: it only keeps the recursion below from being provably infinite. */
static volatile int stop_recursing;

static int recurse(volatile char *prev)
{
	volatile char frame[4096];
	if (stop_recursing)
		return 0;
	frame[0] = prev ? prev[0] + 1 : 0;
	return recurse(frame) + frame[1];
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "null_read";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(how, "null_read") == 0) {
		target = NULL;
		(void)*(volatile int *)target;
	} else if (strcmp(how, "null_write") == 0) {
		target = NULL;
		*(volatile int *)target = 1;
	} else if (strcmp(how, "unmapped") == 0) {
		char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(p, 4096);
		target = p;
		(void)*(volatile int *)target;
	} else if (strcmp(how, "kernel_address") == 0) {
		target = (void *)0xffffffff81000000ul;
		(void)*(volatile int *)target;
	} else if (strcmp(how, "noncanonical") == 0) {
		/*
		 * Non-canonical with 4- and 5-level paging alike: a #GP, not a
		 * page fault, and Linux still sends SIGSEGV.
		 */
		target = (void *)0x8000000000000000ul;
		(void)*(volatile int *)target;
	} else if (strcmp(how, "text_write") == 0) {
		target = (void *)&main;
		*(volatile unsigned char *)target = 0xcc;
	} else if (strcmp(how, "nx_exec") == 0) {
		/* Data pages are not executable (NX). */
		unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memcpy(p, &ret_insn, 1);
		target = p;
		((void (*)(void))target)();
	} else if (strcmp(how, "stack_exec") == 0) {
		/* PT_GNU_STACK without PF_X: the stack is not executable. */
		volatile unsigned char code[16];
		code[0] = ret_insn;
		target = (void *)code;
		((void (*)(void))target)();
	} else if (strcmp(how, "stack_overflow") == 0) {
		recurse(NULL);
	} else {
		printf("FAIL null_deref.usage: unknown HOW \"%s\"\n", how);
		return 2;
	}
	printf("FAIL null_deref.%s: survived the bad access\n", how);
	return 1;
}
