/*
 * threads_misc.c: per-thread odds and ends, and how threads end.
 *
 * - membarrier: QUERY lists the private expedited commands; the expedited
 *   barrier is EPERM before the process registers for it and works after,
 *   from any thread.
 * - Thread names: PR_SET_NAME / PR_GET_NAME per thread (15 bytes at most),
 *   read back from /proc/self/task/TID/comm, and set by writing that file.
 * - /proc/self/task lists exactly the live threads; a finished thread
 *   leaves it. sched_yield returns 0; getcpu names a CPU we may run on.
 * - Raw threads made with clone and clone3 (no libc: the child records its
 *   stack pointer, naps, and ends with SYS_exit): the stack is where the
 *   call put it, the TIDs are stored as CLONE_PARENT_SETTID and
 *   CLONE_CHILD_SETTID ask, the child's exit clears its TID word and wakes
 *   a (shared) futex waiter on it, and the rest of the process continues.
 *   A pthread ending with SYS_exit would leave libc's thread list behind
 *   (musl also frees its list lock through the TID word), hence raw ones.
 * - clone3's argument checks: the size (EINVAL below 64, E2BIG above a page
 *   or with nonzero bytes past the kernel's struct) and the flags. Every
 *   refused call is otherwise a valid thread creation, so a kernel that
 *   wrongly accepts one gets a harmless raw thread, never a fork.
 * - Last, the main thread calls pthread_exit: the process lives on, the
 *   main thread shows as a zombie (Z) in /proc/self/task/PID/stat, and a
 *   remaining thread ends the process with exit(3), the expected status
 *   (exit(1) if a check failed).
 */
// expect-exit: 3
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "thread_util.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

#define EXPECTED_EXIT 3

/* The contents of a small file, NUL-terminated; -1 if it cannot be read. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* The TIDs in /proc/self/task, sorted; their number, or -1. */
static int list_tasks(long *tids, int max)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		if (n < max)
			tids[n] = atol(e->d_name);
		n++;
	}
	closedir(d);
	if (n > max)
		return n;
	for (int i = 1; i < n; i++) /* insertion sort: a handful of entries */
		for (int j = i; j > 0 && tids[j - 1] > tids[j]; j--) {
			long t = tids[j];
			tids[j] = tids[j - 1], tids[j - 1] = t;
		}
	return n;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* Does /proc/self/task hold exactly the n TIDs of want (sorted here)? */
static int tasks_are(long *want, int n)
{
	long got[64];
	qsort(want, n, sizeof(long), cmp_long);
	return list_tasks(got, 64) == n && memcmp(got, want, n * sizeof(long)) == 0;
}

static int task_listed(long tid)
{
	long got[64];
	int n = list_tasks(got, 64);
	for (int i = 0; i < n && i < 64; i++)
		if (got[i] == tid)
			return 1;
	return 0;
}

/* ---- membarrier ------------------------------------------------------------ */

/* Before any thread exists (and with no libc wrapper linked, so musl does
 * not register the process on its own at the first pthread_create). */
static void membarrier_checks(void)
{
	long mask = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0);
	long need = MEMBARRIER_CMD_PRIVATE_EXPEDITED | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED;
	check(mask >= 0 && (mask & need) == need, "membarrier_query",
	      "QUERY gave 0x%lx (%s), expected the bits 0x%lx among them", mask,
	      mask < 0 ? errno_name(errno) : "ok", need);
	check_errno("membarrier_query_flags_einval",
		    syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 1), EINVAL);
	check_errno("membarrier_unknown_cmd_einval", syscall(SYS_membarrier, 1 << 30, 0), EINVAL);
	check_errno("membarrier_private_unregistered_eperm",
		    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0), EPERM);
	check_eq("membarrier_register_private",
		 syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0), 0);
	check_eq("membarrier_private", syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0),
		 0);
}

/* ---- named threads, /proc/self/task, sched_yield, getcpu ------------------- */

#define NAMED 4
static pthread_barrier_t named_in, named_out, named_renamed;

struct named {
	pthread_t th;
	int idx;
	pid_t tid, pid;
	int set_ret, yield_ret, membarrier_ret, getcpu_ret;
	unsigned cpu;
	char got[16], long_got[16], renamed[16];
};

static void *named_main(void *arg)
{
	struct named *n = arg;
	char name[16];

	n->tid = gettid_();
	n->pid = getpid();
	n->yield_ret = sched_yield();
	n->membarrier_ret = (int)syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0);
	n->getcpu_ret = (int)syscall(SYS_getcpu, &n->cpu, NULL, NULL);
	/* Longer than 15 bytes: cut to 15. */
	prctl(PR_SET_NAME, (unsigned long)"abcdefghijklmnopqrstuvwxyz", 0, 0, 0);
	prctl(PR_GET_NAME, (unsigned long)n->long_got, 0, 0, 0);
	snprintf(name, sizeof(name), "worker-%d", n->idx);
	n->set_ret = prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
	prctl(PR_GET_NAME, (unsigned long)n->got, 0, 0, 0);
	pthread_barrier_wait(&named_in);      /* main reads the comm files */
	pthread_barrier_wait(&named_renamed); /* main renamed us through comm */
	prctl(PR_GET_NAME, (unsigned long)n->renamed, 0, 0, 0);
	pthread_barrier_wait(&named_out);
	return NULL;
}

static void named_threads(const char *argv0)
{
	static struct named n[NAMED];
	char path[64], buf[64], want[32];
	long tids[NAMED + 1];
	pid_t pid = getpid();
	cpu_set_t allowed;

	sched_getaffinity(0, sizeof(allowed), &allowed);

	/* The main thread's name: its program's file name, cut to 15 bytes. */
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	char main_name[16] = "", main_want[16];
	snprintf(main_want, sizeof(main_want), "%s", base);
	prctl(PR_GET_NAME, (unsigned long)main_name, 0, 0, 0);
	check(strcmp(main_name, main_want) == 0, "main_thread_name", "\"%s\", expected \"%s\"",
	      main_name, main_want);
	check_eq("sched_yield", sched_yield(), 0);
	unsigned cpu = ~0u, node = ~0u;
	long r = syscall(SYS_getcpu, &cpu, &node, NULL);
	check(r == 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &allowed) && node != ~0u, "getcpu",
	      "returned %ld, cpu %u, node %u", r, cpu, node);
	check_eq("getcpu_null_pointers", syscall(SYS_getcpu, NULL, NULL, NULL), 0);

	pthread_barrier_init(&named_in, NULL, NAMED + 1);
	pthread_barrier_init(&named_renamed, NULL, NAMED + 1);
	pthread_barrier_init(&named_out, NULL, NAMED + 1);
	for (int i = 0; i < NAMED; i++) {
		n[i].idx = i;
		pthread_create(&n[i].th, NULL, named_main, &n[i]);
	}
	pthread_barrier_wait(&named_in);

	/* All alive and named: check the names and the task list. */
	int names_ok = 1, comm_ok = 1, long_ok = 1, misc_ok = 1, cpu_ok = 1;
	char bad[96] = "";
	for (int i = 0; i < NAMED; i++) {
		snprintf(want, sizeof(want), "worker-%d", i);
		names_ok &= n[i].set_ret == 0 && strcmp(n[i].got, want) == 0;
		long_ok &= strcmp(n[i].long_got, "abcdefghijklmno") == 0;
		snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)n[i].tid);
		read_file(path, buf, sizeof(buf));
		strcat(want, "\n");
		if (strcmp(buf, want) != 0 && comm_ok) {
			comm_ok = 0;
			snprintf(bad, sizeof(bad), "%s holds \"%.20s\"", path, buf);
		}
		misc_ok &= n[i].pid == pid && n[i].tid != pid && n[i].yield_ret == 0 &&
			   n[i].membarrier_ret == 0;
		cpu_ok &= n[i].getcpu_ret == 0 && n[i].cpu < CPU_SETSIZE &&
			  CPU_ISSET(n[i].cpu, &allowed);
		tids[i] = n[i].tid;
	}
	check(names_ok, "pr_set_name_per_thread", "a thread read back another name");
	check(long_ok, "pr_set_name_truncated_15", "a 26-byte name did not read back as 15 bytes");
	check(comm_ok, "task_comm", "%s", bad);
	check(misc_ok, "threads_pid_tid_yield_membarrier",
	      "a thread saw another getpid, the main TID, or a failed sched_yield or membarrier");
	check(cpu_ok, "threads_getcpu", "a thread's getcpu failed or named a CPU outside the mask");
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)pid);
	read_file(path, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", main_want);
	check(strcmp(buf, want) == 0, "main_comm_unchanged", "main thread's comm \"%.20s\"", buf);
	tids[NAMED] = pid;
	check(tasks_are(tids, NAMED + 1), "task_dir_lists_live_threads",
	      "/proc/self/task is not the main thread and the %d named ones", NAMED);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)n[0].tid);
	read_file(path, buf, sizeof(buf));
	char status[2048];
	read_file(path, status, sizeof(status));
	char tgid_line[32], pid_line[32];
	snprintf(tgid_line, sizeof(tgid_line), "\nTgid:\t%d\n", (int)pid);
	snprintf(pid_line, sizeof(pid_line), "\nPid:\t%d\n", (int)n[0].tid);
	check(strstr(status, tgid_line) && strstr(status, pid_line), "task_status_tgid_pid",
	      "no \"Tgid: %d\" and \"Pid: %d\" lines", (int)pid, (int)n[0].tid);

	/* Rename thread 1 through its comm file (as pthread_setname_np does). */
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)n[1].tid);
	int fd = open(path, O_WRONLY);
	ssize_t w = fd >= 0 ? write(fd, "renamed-by-main", 15) : -1;
	if (fd >= 0)
		close(fd);
	check_eq("write_task_comm", w, 15);
	pthread_barrier_wait(&named_renamed);
	pthread_barrier_wait(&named_out);
	for (int i = 0; i < NAMED; i++)
		pthread_join(n[i].th, NULL);
	check(strcmp(n[1].renamed, "renamed-by-main") == 0, "comm_write_seen_by_pr_get_name",
	      "thread 1 now calls itself \"%s\"", n[1].renamed);
	check(strcmp(n[2].renamed, "worker-2") == 0, "comm_write_only_that_thread",
	      "thread 2 now calls itself \"%s\"", n[2].renamed);

	/* Joined threads leave /proc/self/task (the kernel may take a moment
	 * after the TID word is cleared). */
	long only_main[1] = { pid };
	int gone = 0;
	for (int i = 0; i < 2000 && !(gone = tasks_are(only_main, 1)); i++)
		sleep_ms(1);
	check(gone, "task_dir_after_join", "/proc/self/task still lists finished threads");
	pthread_barrier_destroy(&named_in);
	pthread_barrier_destroy(&named_renamed);
	pthread_barrier_destroy(&named_out);
}

/* ---- raw threads: clone and clone3 ----------------------------------------- */

/* What a raw child writes; offsets fixed for the assembly below. */
struct raw_child {
	int ran;		/* 0: set to 1 */
	int pad;
	unsigned long sp;	/* 8: its stack pointer on entry */
	struct timespec nap;	/* 16: how long it sleeps before SYS_exit */
};
_Static_assert(offsetof(struct raw_child, sp) == 8, "raw_child layout");
_Static_assert(offsetof(struct raw_child, nap) == 16, "raw_child layout");

/*
 * A clone-family system call (clone: flags, stack, parent_tid, child_tid,
 * tls; clone3: args, size). The child, on the new stack, uses no stack and
 * no libc: it stores its rsp and ran = 1, sleeps c->nap, and SYS_exit(0)s.
 * The parent gets the call's result (raw: -errno on failure).
 */
static long raw_clone(long nr, long a1, long a2, long a3, long a4, long a5, struct raw_child *c)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register struct raw_child *r12 __asm__("r12") = c;
	long ret;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov %%rsp, 8(%%r12)\n\t"
			 "movl $1, (%%r12)\n\t"
			 "lea 16(%%r12), %%rdi\n\t"
			 "xor %%esi, %%esi\n\t"
			 "mov %[nanosleep], %%eax\n\t"
			 "syscall\n\t"
			 "mov %[exit], %%eax\n\t" /* SYS_exit: this thread only */
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(ret)
			 : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r12),
			   [nanosleep] "i"(SYS_nanosleep), [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return ret;
}

#define THREAD_FLAGS \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)
#define TID_FLAGS (CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)
#define RAW_STACK (64 * 1024)

/*
 * Waits (5 s at most) for the kernel to clear *ctid when the child exits.
 * The kernel wakes the word as a shared futex, so the wait is a shared
 * FUTEX_WAIT. Returns 1 once the word is 0; *woken says whether a wait of
 * ours ended by a wake (0) rather than finding the word already changed.
 */
static int wait_cleared(volatile int *ctid, int *woken, int *timeouts)
{
	long long limit = now_ns(CLOCK_MONOTONIC) + 5000 * MS;
	*woken = 0;
	*timeouts = 0;
	for (long long left; (left = limit - now_ns(CLOCK_MONOTONIC)) > 0;) {
		int v = *ctid;
		if (v == 0)
			return 1;
		struct timespec ts = { (time_t)(left / 1000000000LL), (long)(left % 1000000000LL) };
		long r = syscall(SYS_futex, ctid, FUTEX_WAIT, v, &ts, NULL, 0);
		if (r == 0)
			*woken = 1;
		else if (errno == ETIMEDOUT)
			(*timeouts)++;
	}
	return *ctid == 0;
}

/* A pthread that keeps counting until told to stop: the rest of the process. */
static long bystander_count;
static int bystander_stop;

static void *bystander(void *arg)
{
	while (!__atomic_load_n(&bystander_stop, __ATOMIC_SEQ_CST)) {
		__atomic_add_fetch(&bystander_count, 1, __ATOMIC_SEQ_CST);
		sched_yield();
	}
	return (void *)(uintptr_t)0xb57;
}

/* Checks one raw thread after its clone call returned tid. */
static void raw_thread_checks(const char *name, long tid, volatile int *ptid, volatile int *ctid,
			      struct raw_child *c, unsigned long want_sp)
{
	char n[96];
	int woken = 0, timeouts = 0;

	snprintf(n, sizeof(n), "%s_returns_tid", name);
	if (!check(tid > 0, n, "returned %ld (%s)", tid, tid < 0 ? errno_name((int)-tid) : ""))
		return;
	snprintf(n, sizeof(n), "%s_parent_settid", name);
	check_eq(n, *ptid, tid);
	int cleared = wait_cleared(ctid, &woken, &timeouts);
	snprintf(n, sizeof(n), "%s_exit_clears_tid", name);
	check(cleared, n, "the child TID word is still %d after 5 s", *ctid);
	/* A wait that began before the exit ended by the kernel's wake; one that
	 * found the word already 0 proves nothing either way, a timeout does. */
	snprintf(n, sizeof(n), "%s_exit_wakes_futex", name);
	check(cleared && timeouts == 0, n, "%d shared FUTEX_WAITs on the TID word timed out%s",
	      timeouts, woken ? "" : " and none was woken");
	snprintf(n, sizeof(n), "%s_child_ran", name);
	check_eq(n, c->ran, 1);
	snprintf(n, sizeof(n), "%s_child_stack", name);
	check(c->sp == want_sp, n, "child started with rsp 0x%lx, expected 0x%lx", c->sp, want_sp);
	/* It leaves /proc/self/task (a moment after clearing its TID word). */
	int gone = 0;
	for (int i = 0; i < 2000 && !(gone = !task_listed(tid)); i++)
		sleep_ms(1);
	snprintf(n, sizeof(n), "%s_left_task_dir", name);
	check(gone, n, "TID %ld still in /proc/self/task", tid);
}

static void raw_threads(void)
{
	char *stack = mmap(NULL, RAW_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (!check(stack != MAP_FAILED, "raw_stack_mmap", "mmap: %s", errno_name(errno)))
		return;
	unsigned long top = (unsigned long)stack + RAW_STACK;
	static volatile int ptid, ctid;
	static struct raw_child c;
	pthread_t by;

	pthread_create(&by, NULL, bystander, NULL);

	/* clone: the child starts with rsp = the stack argument. It naps 30 ms,
	 * long enough for the wait below to begin first. */
	memset(&c, 0, sizeof(c));
	c.nap.tv_nsec = 30 * MS;
	ptid = -1, ctid = -1;
	long tid = raw_clone(SYS_clone, THREAD_FLAGS | TID_FLAGS, (long)top, (long)&ptid,
			     (long)&ctid, 0, &c);
	raw_thread_checks("clone", tid, &ptid, &ctid, &c, top);

	/* clone3: stack and stack_size; the child starts at stack + stack_size. */
	struct clone_args ca;
	static char big[8192] __attribute__((aligned(8)));
	const struct {
		const char *name;
		size_t size;
	} sizes[] = {
		{ "clone3_size_ver0", CLONE_ARGS_SIZE_VER0 },
		{ "clone3_size_struct", sizeof(struct clone_args) },
		{ "clone3_size_page_zero_tail", 4096 },
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&ca, 0, sizeof(ca));
		ca.flags = THREAD_FLAGS | TID_FLAGS;
		ca.parent_tid = (uintptr_t)&ptid;
		ca.child_tid = (uintptr_t)&ctid;
		ca.stack = (uintptr_t)stack;
		ca.stack_size = RAW_STACK;
		memset(big, 0, sizeof(big));
		memcpy(big, &ca, sizeof(ca));
		memset(&c, 0, sizeof(c));
		c.nap.tv_nsec = 30 * MS;
		ptid = -1, ctid = -1;
		tid = raw_clone(SYS_clone3, (long)big, (long)sizes[i].size, 0, 0, 0, &c);
		raw_thread_checks(sizes[i].name, tid, &ptid, &ctid, &c, top);
	}

	/* The bystander kept running through all of it. */
	long before = __atomic_load_n(&bystander_count, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 1000 && __atomic_load_n(&bystander_count, __ATOMIC_SEQ_CST) == before; i++)
		sleep_ms(1);
	check(__atomic_load_n(&bystander_count, __ATOMIC_SEQ_CST) > before, "others_continue",
	      "a pthread stopped running after raw threads exited");
	__atomic_store_n(&bystander_stop, 1, __ATOMIC_SEQ_CST);
	void *ret = NULL;
	pthread_join(by, &ret);
	check(ret == (void *)(uintptr_t)0xb57, "others_continue_join", "joined with %p", ret);
	munmap(stack, RAW_STACK);
}

/* ---- clone3 argument errors --------------------------------------------- */

static void clone3_errors(void)
{
	static char stack[16384] __attribute__((aligned(16)));
	static char big[8192] __attribute__((aligned(8)));
	static struct raw_child scratch; /* written only by a wrongly created child */
	struct clone_args ca;

	/* A valid thread creation with no TID words; each case spoils one thing. */
	struct {
		const char *name;
		size_t size;
		unsigned long long flags, exit_signal, stack, stack_size;
		int tail_byte; /* nonzero: set big[4000] */
		long want;
	} cases[] = {
		{ "clone3_size_0_einval", 0, 0, 0, 1, 1, 0, -EINVAL },
		{ "clone3_size_63_einval", CLONE_ARGS_SIZE_VER0 - 1, 0, 0, 1, 1, 0, -EINVAL },
		{ "clone3_size_over_page_e2big", 4097, 0, 0, 1, 1, 0, -E2BIG },
		{ "clone3_nonzero_tail_e2big", 4096, 0, 0, 1, 1, 1, -E2BIG },
		{ "clone3_unknown_flag_einval", sizeof(ca), 1ULL << 63, 0, 1, 1, 0, -EINVAL },
		{ "clone3_clone_detached_einval", sizeof(ca), 0x00400000, 0, 1, 1, 0, -EINVAL },
		{ "clone3_csignal_in_flags_einval", sizeof(ca), SIGCHLD, 0, 1, 1, 0, -EINVAL },
		{ "clone3_thread_exit_signal_einval", sizeof(ca), 0, SIGCHLD, 1, 1, 0, -EINVAL },
		{ "clone3_sighand_and_clear_sighand_einval", sizeof(ca), CLONE_CLEAR_SIGHAND, 0, 1, 1,
		  0, -EINVAL },
		{ "clone3_stack_without_size_einval", sizeof(ca), 0, 0, 1, 0, 0, -EINVAL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&ca, 0, sizeof(ca));
		ca.flags = THREAD_FLAGS | cases[i].flags;
		ca.exit_signal = cases[i].exit_signal;
		ca.stack = cases[i].stack ? (uintptr_t)stack : 0;
		ca.stack_size = cases[i].stack_size ? sizeof(stack) : 0;
		memset(big, 0, sizeof(big));
		memcpy(big, &ca, sizeof(ca));
		if (cases[i].tail_byte)
			big[4000] = 1;
		scratch.nap.tv_nsec = 0;
		long r = raw_clone(SYS_clone3, (long)big, (long)cases[i].size, 0, 0, 0, &scratch);
		if (r > 0)
			sleep_ms(10); /* a thread that should not exist: let it end */
		check(r == cases[i].want, cases[i].name, "returned %ld (%s), expected %s", r,
		      r < 0 ? errno_name((int)-r) : "a thread", errno_name((int)-cases[i].want));
	}
}

/* ---- the main thread leaves first ------------------------------------------ */

static pid_t main_pid;

static void *last_thread(void *arg)
{
	char path[64], buf[512];

	/* Wait (2 s at most) for the main thread to become a zombie. */
	char st = '?';
	for (int i = 0; i < 2000 && (st = thread_state(main_pid)) != 'Z'; i++)
		sleep_ms(1);
	check(st == 'Z', "main_thread_exited_zombie",
	      "the main thread's state is %c, expected Z after pthread_exit", st);
	check_eq("process_lives_on_getpid", getpid(), main_pid);
	check(task_listed(gettid_()) && task_listed(main_pid), "task_dir_after_main_exit",
	      "/proc/self/task does not list this thread and the zombie main thread");
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)gettid_());
	check(read_file(path, buf, sizeof(buf)) > 0, "procfs_after_main_exit",
	      "cannot read %s", path);
	printf("threads_misc: the last thread calls exit(%d)\n",
	       check_failed ? 1 : EXPECTED_EXIT);
	exit(check_done() == 0 ? EXPECTED_EXIT : 1);
}

/* RUSAGE_THREAD is the caller's own CPU time, RUSAGE_SELF all threads': a thread burns about
 * 100 ms while the main thread sleeps in pthread_join. */
static double cpu_of(int who)
{
	struct rusage ru;
	if (getrusage(who, &ru) != 0)
		return -1;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void *burner(void *arg)
{
	struct timespec ts;
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	while (ts.tv_sec == 0 && ts.tv_nsec < 100000000);
	return NULL;
}

static void rusage_thread(void)
{
	double self0 = cpu_of(RUSAGE_SELF), mine0 = cpu_of(RUSAGE_THREAD);
	pthread_t t;
	pthread_create(&t, NULL, burner, NULL);
	pthread_join(t, NULL);
	double self1 = cpu_of(RUSAGE_SELF), mine1 = cpu_of(RUSAGE_THREAD);
	check(self1 - self0 >= 0.09, "rusage_self_counts_threads", "RUSAGE_SELF grew %.3f s",
	      self1 - self0);
	check(mine1 - mine0 < 0.05, "rusage_thread_is_own", "RUSAGE_THREAD grew %.3f s",
	      mine1 - mine0);
}

int main(int argc, char **argv)
{
	check_init("threads_misc");
	rusage_thread();
	main_pid = getpid();
	membarrier_checks();
	named_threads(argv[0]);
	raw_threads();
	clone3_errors();

	/* The main thread ends; the process lives on in last_thread, whose
	 * exit(3) is the process's exit status. */
	pthread_t t;
	if (pthread_create(&t, NULL, last_thread, NULL) != 0) {
		fail("create_last_thread", "pthread_create failed");
		return check_done();
	}
	pthread_exit(NULL);
}
