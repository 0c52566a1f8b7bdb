/* The files of /proc/<pid>/ that describe the process: its memory (maps, statm, status, stat), its
 * limits, descriptors (fdinfo), name (comm), arguments and mounts. Formats follow Linux 6.1's
 * fs/proc/array.c, task_mmu.c, base.c and fd.c field for field; a figure monos does not keep
 * (page faults, context switches) is 0, as on a process that has had none. */
#include "fs/procfs_internal.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "proc/process.h"
#include "proc/signal.h"
#include "mm/vm.h"
#include "mm/paging.h"
#include "mm/usercopy.h"
#include "core/time.h"
#include "core/cmdline.h"
#include "lib/string.h"
#include "lib/format.h"
#include "errno.h"
#include <linux/elf.h>
#include <linux/auxvec.h>
#include <linux/fcntl.h>
#include <linux/resource.h>

#define PF_RANDOMIZE 0x00400000 /* task->flags: the address space is randomized */
#define CAP_FULL_SET 0x1ffffffffffUL /* capabilities 0..CAP_LAST_CAP (40), as root has them */

static u64 clock_ticks(u64 ns) { return ns / (NSEC_PER_SEC / USER_HZ); }

/* st_dev as user space encodes it (glibc's major()/minor()). */
static u64 dev_major(u64 dev) { return ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffUL); }
static u64 dev_minor(u64 dev) { return (dev & 0xff) | ((dev >> 12) & ~0xffUL); }

static bool is_head(const struct vma *v) { return v == &mm.list; }

static u64 auxv_get(u64 type)
{
	for (int i = 0; i + 1 < proc.nauxv; i += 2)
		if (proc.auxv[i] == type)
			return proc.auxv[i + 1];
	return 0;
}

/* ---- the address space in Linux's terms ------------------------------------------------------ */

/* Pages of a file mapped in place count as the file's (RssFile); the pages monos allocated for
 * the app (zero-filled, copied, copy-on-write) are the anonymous ones vm.c counts. */
static u64 file_resident(const struct vma *v)
{
	u64 n = 0;
	for (vaddr_t va = v->start; va < v->end; va += PAGE_SIZE) {
		u64 *pte = pte_lookup(va, false);
		if (pte && (*pte & PTE_ADDR) && (*pte & PTE_FOREIGN))
			n++;
	}
	return n;
}

void procfs_mm_summary(struct mm_sum *s)
{
	memset(s, 0, sizeof(*s));
	for (struct vma *v = mm.list.next; !is_head(v); v = v->next) {
		u64 pages = (v->end - v->start) / PAGE_SIZE;
		s->total += pages;
		if (v->kind == VMA_STACK)
			s->stack += pages;
		else if ((v->prot & VM_WRITE) && !v->shared)
			s->data += pages;
		else if ((v->prot & VM_EXEC) && !(v->prot & VM_WRITE))
			s->exec += pages;
		if (v->kind == VMA_MAPPED)
			s->file += file_resident(v);
	}
	s->anon = vm_resident_pages();
}

/* The mm fields Linux sets at exec (start_code, end_data, arg_start...): from the executable's
 * program headers, moved by the load bias, and from the initial stack, which exec.c lays out as
 * create_elf_tables() does: argument strings, then environment strings, then AT_EXECFN's. */
struct exe_layout {
	u64 start_code, end_code, start_data, end_data;
	u64 start_stack, arg_start, arg_end, env_start, env_end;
};

static const struct inode *exe_inode(void)
{
	if (!proc.exe_path)
		return NULL;
	for (struct vma *v = mm.list.next; !is_head(v); v = v->next)
		if (v->kind == VMA_MAPPED && v->file && v->path && strcmp(v->path, proc.exe_path) == 0)
			return v->file;
	return NULL;
}

static void exe_segments(struct exe_layout *l)
{
	const struct inode *exe = exe_inode();
	if (!exe || !exe->lower || exe->lower_size < sizeof(Elf64_Ehdr))
		return;
	const Elf64_Ehdr *eh = (const void *)exe->lower;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > exe->lower_size ||
	    (exe->lower_size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return;
	const Elf64_Phdr *ph = (const void *)(exe->lower + eh->e_phoff);
	u64 bias = auxv_get(AT_ENTRY) - eh->e_entry;
	u64 start_code = ~0UL, end_code = 0, start_data = 0, end_data = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		u64 lo = ph[i].p_vaddr, hi = ph[i].p_vaddr + ph[i].p_filesz;
		bool x = ph[i].p_flags & PF_X;
		if (x && lo < start_code)
			start_code = lo;
		if (lo > start_data)
			start_data = lo;
		if (x && hi > end_code)
			end_code = hi;
		if (hi > end_data)
			end_data = hi;
	}
	l->start_code = start_code + bias;
	l->end_code = end_code + bias;
	l->start_data = start_data + bias;
	l->end_data = end_data + bias;
}

static u64 strings_size(const char *const *v, u64 *count)
{
	u64 n = 0, c = 0;
	for (; v && *v; v++, c++)
		n += strlen(*v) + 1;
	*count = c;
	return n;
}

static void exe_layout(struct exe_layout *l)
{
	memset(l, 0, sizeof(*l));
	exe_segments(l);
	u64 argc, envc;
	u64 arg_len = strings_size(proc.argv, &argc), env_len = strings_size(proc.envp, &envc);
	u64 execfn = auxv_get(AT_EXECFN);
	if (execfn) {
		l->env_end = execfn;
		l->env_start = l->arg_end = execfn - env_len;
		l->arg_start = l->arg_end - arg_len;
	}
	/* argc sits below argv[], envp[] and auxv[], padded so that it is 16-byte aligned, under
	 * the 16 AT_RANDOM bytes. */
	u64 at_random = auxv_get(AT_RANDOM);
	u64 words = 1 + (argc + 1) + (envc + 1) + (u64)proc.nauxv;
	if (at_random)
		l->start_stack = at_random - (words & 1) * 8 - words * 8;
}

/* ---- maps ------------------------------------------------------------------------------------ */

/* One line of maps. Linux shows a VMA per line; where one Linux VMA is two monos areas (an ELF
 * segment's file pages and its copied last page) or Linux would have merged neighbours (adjacent
 * anonymous areas), the lines are merged. Adjacent areas of one file are not: Linux keeps a
 * segment that was writable (accounted) apart from its read-only neighbour, as with RELRO. */
struct map_line {
	vaddr_t start, end;
	u32 prot;
	bool shared, file, deleted;
	bool segment_tail; /* the copied last page of an ELF segment */
	u64 off, dev, ino;
	const char *name;
};

static const char heap_name[] = "[heap]", stack_name[] = "[stack]";

static void put_map_line(struct textbuf *t, const struct map_line *m)
{
	char head[128];
	int n = snprintf(head, sizeof(head), "%08lx-%08lx %c%c%c%c %08lx %02lx:%02lx %lu ", m->start,
			 m->end, m->prot & VM_READ ? 'r' : '-', m->prot & VM_WRITE ? 'w' : '-',
			 m->prot & VM_EXEC ? 'x' : '-', m->shared ? 's' : 'p', m->off,
			 dev_major(m->dev), dev_minor(m->dev), m->ino);
	tb_put(t, head, (size_t)n);
	if (m->name) {
		/* seq_pad: the name starts after column 72 (25 + 6 * sizeof(void *) - 1). */
		static const char spaces[] = "                                                    "
					     "                    ";
		if (n < 72)
			tb_put(t, spaces, (size_t)(72 - n));
		tb_put(t, " ", 1);
		tb_put(t, m->name, strlen(m->name));
		if (m->deleted)
			tb_put(t, " (deleted)", 10);
	}
	tb_put(t, "\n", 1);
}

static bool same_name(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool merges(const struct map_line *a, const struct map_line *b)
{
	if (a->end != b->start || a->prot != b->prot || a->shared != b->shared || a->file != b->file)
		return false;
	if (a->file)
		return b->segment_tail && a->ino == b->ino && a->dev == b->dev &&
		       same_name(a->name, b->name) && a->off + (a->end - a->start) == b->off;
	/* The bss grows into the heap when brk starts right after it (no randomization). */
	return same_name(a->name, b->name) || (!a->name && b->name == heap_name);
}

struct maps_out {
	struct textbuf *t;
	struct map_line pending;
	bool have;
};

static void emit(struct maps_out *o, const struct map_line *m)
{
	if (m->start >= m->end)
		return;
	if (o->have && merges(&o->pending, m)) {
		o->pending.end = m->end;
		o->pending.name = m->name;
		return;
	}
	if (o->have)
		put_map_line(o->t, &o->pending);
	o->pending = *m;
	o->have = true;
}

/* A mapped file's area: the file, its position, and its name as opened. */
static void file_line(struct map_line *m, const struct vma *v, u64 off)
{
	m->file = true;
	m->off = off;
	m->dev = v->file->fs->dev;
	m->ino = v->file->ino;
	m->name = v->path;
	m->deleted = v->file->nlink == 0;
}

/* The file whose initrd bytes hold p (for the copied last page of an ELF segment). */
static const struct vma *owner_of(const u8 *p)
{
	for (struct vma *v = mm.list.next; !is_head(v); v = v->next) {
		const struct inode *f = v->file;
		if (v->kind == VMA_MAPPED && f && f->lower && p >= f->lower && p < f->lower + f->lower_size)
			return v;
	}
	return NULL;
}

static void vma_lines(struct maps_out *o, const struct vma *v)
{
	struct map_line m = { .start = v->start, .end = v->end, .prot = v->prot, .shared = v->shared };
	switch (v->kind) {
	case VMA_MAPPED:
		file_line(&m, v, v->pgoff * PAGE_SIZE);
		break;
	case VMA_FILE: {
		/* On Linux the page holding the segment's last file bytes is part of the file mapping;
		 * the bss after it is anonymous. */
		if (!v->src || !v->src_len)
			break;
		struct map_line f = m;
		f.segment_tail = true;
		f.end = MIN(v->end, v->start + PAGE_ALIGN_UP(v->src_len));
		const struct vma *owner = owner_of(v->src);
		if (owner) {
			file_line(&f, owner, (u64)(v->src - owner->file->lower));
		} else {
			f.file = true;
			f.name = proc.exe_path;
		}
		emit(o, &f);
		m.start = f.end;
		break;
	}
	case VMA_HEAP:
		m.name = heap_name;
		break;
	case VMA_STACK:
		m.name = stack_name;
		break;
	case VMA_ANON:
		m.name = v->path; /* "[vdso]" and "[vvar]" (vm_name_area), else none */
		break;
	}
	emit(o, &m);
}

void pid_maps(struct textbuf *t, u64 arg)
{
	struct maps_out o = { .t = t };
	for (struct vma *v = mm.list.next; !is_head(v); v = v->next)
		vma_lines(&o, v);
	if (o.have)
		put_map_line(t, &o.pending);
}

/* ---- status, stat, statm --------------------------------------------------------------------- */

static u64 sig_ignored(void)
{
	u64 set = 0;
	for (int i = 0; i < 64; i++)
		if (proc.sigactions[i].handler == SIG_IGN_HANDLER)
			set |= 1UL << i;
	return set;
}

static u64 sig_caught(void)
{
	u64 set = 0;
	for (int i = 0; i < 64; i++)
		if (proc.sigactions[i].handler > SIG_IGN_HANDLER)
			set |= 1UL << i;
	return set;
}

/* The capacity of Linux's descriptor table: 64 (BITS_PER_LONG) until a higher descriptor is
 * used, then grown as expand_fdtable() does (multiples of 128, powers of two). */
static int fd_table_size(void)
{
	int top = -1;
	for (int fd = 0; fd < FD_MAX; fd++)
		if (fd_get(fd))
			top = fd;
	if (top < 64)
		return 64;
	u64 n = (u64)top / 128 + 1, p = 1;
	while (p < n)
		p <<= 1;
	return (int)(p * 128);
}

static void put_kb(struct textbuf *t, const char *name, u64 pages)
{
	tb_printf(t, "%s:\t%8lu kB\n", name, pages * (PAGE_SIZE / 1024));
}

/* Name: escapes '\n' and '\\' as Linux's proc_task_name(escape=true) does. */
static void put_escaped_comm(struct textbuf *t, const char *comm)
{
	for (const char *c = comm; *c; c++) {
		if (*c == '\n')
			tb_put(t, "\\n", 2);
		else if (*c == '\\')
			tb_put(t, "\\\\", 2);
		else
			tb_put(t, c, 1);
	}
}

static void status_ids(struct textbuf *t, const struct thread *th)
{
	tb_put(t, "Name:\t", 6);
	put_escaped_comm(t, th->comm);
	tb_printf(t, "\nUmask:\t%04o\nState:\t%s\n", proc.umask,
		  th->zombie ? "Z (zombie)" : th->state == THREAD_BLOCKED ? "S (sleeping)" : "R (running)");
	tb_printf(t, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t0\nTracerPid:\t0\n", proc.pid, th->tid);
	tb_printf(t, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\nGroups:\t",
		  fd_table_size());
	for (int g = 0; g < proc.ngroups; g++)
		tb_put(t, g ? " 0" : "0", g ? 2 : 1);
	tb_put(t, " \n", 2); /* Linux's trailing space */
	tb_printf(t, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", proc.pid, th->tid,
		  proc.pid, proc.pid);
}

static void status_memory(struct textbuf *t, const struct mm_sum *s, const struct exe_layout *l)
{
	u64 rss = s->anon + s->file;
	u64 hwm = MAX(rss, vm_resident_peak_pages() + s->file);
	/* VmExe is the executable's text; the rest of the executable mappings are libraries. */
	u64 text = 0;
	if (l->end_code > l->start_code)
		text = (PAGE_ALIGN_UP(l->end_code) - PAGE_ALIGN_DOWN(l->start_code)) / PAGE_SIZE;
	text = MIN(text, s->exec);
	put_kb(t, "VmPeak", s->total);
	put_kb(t, "VmSize", s->total);
	put_kb(t, "VmLck", 0);
	put_kb(t, "VmPin", 0);
	put_kb(t, "VmHWM", hwm);
	put_kb(t, "VmRSS", rss);
	put_kb(t, "RssAnon", s->anon);
	put_kb(t, "RssFile", s->file);
	put_kb(t, "RssShmem", 0);
	put_kb(t, "VmData", s->data);
	put_kb(t, "VmStk", s->stack);
	put_kb(t, "VmExe", text);
	put_kb(t, "VmLib", s->exec - text);
	put_kb(t, "VmPTE", 0);
	put_kb(t, "VmSwap", 0);
	put_kb(t, "HugetlbPages", 0);
	/* THP_enabled: 1 unless prctl(PR_SET_THP_DISABLE), whatever the system-wide mode says. */
	tb_printf(t, "CoreDumping:\t0\nTHP_enabled:\t1\n");
}

static void status_signals(struct textbuf *t, const struct thread *th)
{
	tb_printf(t, "Threads:\t%d\nSigQ:\t%d/%lu\n", proc.nthreads, proc.nqueued,
		  proc.rlimits[RLIMIT_SIGPENDING][0]);
	tb_printf(t, "SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n", th->sigpending,
		  proc.shared_pending, th->sigmask);
	tb_printf(t, "SigIgn:\t%016lx\nSigCgt:\t%016lx\n", sig_ignored(), sig_caught());
	tb_printf(t, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\n"
		     "CapAmb:\t%016lx\n", 0UL, CAP_FULL_SET, CAP_FULL_SET, CAP_FULL_SET, 0UL);
	/* monos applies no speculation mitigation of its own. */
	tb_printf(t, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
		     "Speculation_Store_Bypass:\tvulnerable\n"
		     "SpeculationIndirectBranch:\talways enabled\n");
}

static void status_cpus(struct textbuf *t)
{
	/* Cpus_allowed is a hex mask of nr_cpu_ids bits; Mems_allowed one of MAX_NUMNODES (1024 in
	 * Debian's config), in comma-separated 32-bit groups. */
	tb_printf(t, "Cpus_allowed:\t%lx\nCpus_allowed_list:\t", (1UL << PROCFS_NR_CPUS) - 1);
	procfs_cpu_list(t);
	tb_put(t, "Mems_allowed:\t", 14);
	for (int i = 0; i < 31; i++)
		tb_put(t, "00000000,", 9);
	tb_printf(t, "00000001\nMems_allowed_list:\t0\n");
}

/* The thread a /proc file speaks of: task/<tid>/ files have the tid as arg; /proc/<pid>/ files
 * (arg 0) speak of the thread-group leader, or, once it has exited, the caller. */
static struct thread *thread_of_arg(u64 arg)
{
	struct thread *t = proc_find_thread(arg ? (int)arg : proc.pid);
	return t ? t : current_thread();
}

void pid_status(struct textbuf *t, u64 arg)
{
	const struct thread *th = thread_of_arg(arg);
	struct mm_sum s;
	struct exe_layout l;
	procfs_mm_summary(&s);
	exe_layout(&l);
	status_ids(t, th);
	status_memory(t, &s, &l);
	status_signals(t, th);
	status_cpus(t);
	tb_printf(t, "voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n", th->nvcsw,
		  th->nivcsw);
}

/* The 52 fields of proc(5)'s stat, in do_task_stat()'s order. */
void pid_stat(struct textbuf *t, u64 arg)
{
	const struct thread *th = thread_of_arg(arg);
	struct mm_sum s;
	struct exe_layout l;
	procfs_mm_summary(&s);
	exe_layout(&l);
	u64 cpu = time_process_cpu_ns();
	tb_printf(t, "%d (%s) %c 0 %d %d 0 -1 %u", th->tid, th->comm,
		  th->zombie ? 'Z' : th->state == THREAD_BLOCKED ? 'S' : 'R', proc.pid, proc.pid,
		  options.aslr ? PF_RANDOMIZE : 0);
	/* minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads
	 * itrealvalue starttime vsize rss rsslim */
	tb_printf(t, " 0 0 0 0 %lu 0 0 0 20 0 %d 0 %lu %lu %lu %lu", clock_ticks(cpu), proc.nthreads,
		  clock_ticks(procfs_start_ns), s.total * PAGE_SIZE, s.anon + s.file,
		  proc.rlimits[RLIMIT_RSS][0]);
	/* startcode endcode startstack kstkesp kstkeip signal blocked sigignore sigcatch wchan
	 * nswap cnswap exit_signal processor rt_priority policy blkio_ticks gtime cgtime */
	tb_printf(t, " %lu %lu %lu 0 0 %lu %lu %lu %lu 0 0 0 17 %d 0 0 0 0 0", l.start_code,
		  l.end_code, l.start_stack, (th->sigpending | proc.shared_pending) & 0x7fffffffUL, th->sigmask & 0x7fffffffUL,
		  sig_ignored() & 0x7fffffffUL, sig_caught() & 0x7fffffffUL, th->cpu);
	/* start_data end_data start_brk arg_start arg_end env_start env_end exit_code */
	tb_printf(t, " %lu %lu %lu %lu %lu %lu %lu 0\n", l.start_data, l.end_data, mm.brk_start,
		  l.arg_start, l.arg_end, l.env_start, l.env_end);
}

void pid_statm(struct textbuf *t, u64 arg)
{
	struct mm_sum s;
	struct exe_layout l;
	procfs_mm_summary(&s);
	exe_layout(&l);
	u64 text = 0;
	if (l.end_code > l.start_code)
		text = (PAGE_ALIGN_UP(l.end_code) - PAGE_ALIGN_DOWN(l.start_code)) / PAGE_SIZE;
	tb_printf(t, "%lu %lu %lu %lu 0 %lu 0\n", s.total, s.anon + s.file, s.file, text,
		  s.data + s.stack);
}

/* ---- limits ---------------------------------------------------------------------------------- */

static const struct {
	const char *name, *unit;
} limit_names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { "Max cpu time", "seconds" },
	[RLIMIT_FSIZE] = { "Max file size", "bytes" },
	[RLIMIT_DATA] = { "Max data size", "bytes" },
	[RLIMIT_STACK] = { "Max stack size", "bytes" },
	[RLIMIT_CORE] = { "Max core file size", "bytes" },
	[RLIMIT_RSS] = { "Max resident set", "bytes" },
	[RLIMIT_NPROC] = { "Max processes", "processes" },
	[RLIMIT_NOFILE] = { "Max open files", "files" },
	[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
	[RLIMIT_AS] = { "Max address space", "bytes" },
	[RLIMIT_LOCKS] = { "Max file locks", "locks" },
	[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
	[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
	[RLIMIT_NICE] = { "Max nice priority", NULL },
	[RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
	[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
};

static void put_limit(struct textbuf *t, u64 v)
{
	if (v == RLIM_INFINITY)
		tb_printf(t, "%-20s ", "unlimited");
	else
		tb_printf(t, "%-20lu ", v);
}

void pid_limits(struct textbuf *t, u64 arg)
{
	tb_printf(t, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		tb_printf(t, "%-25s ", limit_names[i].name);
		put_limit(t, proc.rlimits[i][0]);
		put_limit(t, proc.rlimits[i][1]);
		if (limit_names[i].unit)
			tb_printf(t, "%-10s\n", limit_names[i].unit);
		else
			tb_put(t, "\n", 1);
	}
}

/* ---- arguments, environment, auxv, name ------------------------------------------------------ */

/* The bytes of [from, to) of the app's memory, as Linux reads cmdline and environ from the
 * process (so that a program rewriting its argv is seen). */
static void put_user_range(struct textbuf *t, uptr_t from, uptr_t to, bool to_first_nul)
{
	char buf[256];
	while (from < to) {
		size_t n = MIN(sizeof(buf), to - from);
		if (copy_from_user(buf, from, n))
			return;
		if (to_first_nul) {
			size_t len = strnlen(buf, n);
			if (len < n) {
				tb_put(t, buf, len + 1);
				return;
			}
		}
		tb_put(t, buf, n);
		from += n;
	}
}

void pid_cmdline(struct textbuf *t, u64 arg)
{
	struct exe_layout l;
	exe_layout(&l);
	if (l.arg_end <= l.arg_start)
		return;
	/* A NUL-less end of the arguments means setproctitle() wrote over them, maybe into the
	 * environment: then the title runs to its first NUL (get_mm_proctitle()). */
	char last;
	if (copy_from_user(&last, l.arg_end - 1, 1))
		return;
	if (last)
		put_user_range(t, l.arg_start, l.env_end, true);
	else
		put_user_range(t, l.arg_start, l.arg_end, false);
}

void pid_environ(struct textbuf *t, u64 arg)
{
	struct exe_layout l;
	exe_layout(&l);
	put_user_range(t, l.env_start, l.env_end, false);
}

/* The saved auxiliary vector, AT_NULL pair included. */
void pid_auxv(struct textbuf *t, u64 arg)
{
	tb_put(t, proc.auxv, (size_t)proc.nauxv * sizeof(u64));
}

void pid_comm(struct textbuf *t, u64 arg) { tb_printf(t, "%s\n", thread_of_arg(arg)->comm); }

/* As Linux's comm_write: the first 15 bytes name the thread, up to a NUL; a trailing newline is
 * kept (echo without -n names it "name\n"). */
ssize_t pid_comm_store(const char *buf, size_t n, u64 arg)
{
	struct thread *th = thread_of_arg(arg);
	char name[sizeof(th->comm)];
	memset(name, 0, sizeof(name));
	memcpy(name, buf, MIN(n, sizeof(name) - 1));
	memcpy(th->comm, name, sizeof(name));
	return (ssize_t)n;
}

/* oom_score_adj: kept, and reported back; there is no OOM killer to use it. */
static int oom_score_adj;

void pid_oom_score_adj(struct textbuf *t, u64 arg) { tb_printf(t, "%d\n", oom_score_adj); }

static bool is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

ssize_t pid_oom_score_adj_store(const char *buf, size_t n, u64 arg)
{
	/* Linux reads at most 12 bytes (PROC_NUMBUF - 1), strips spaces, and wants -1000..1000. */
	size_t len = MIN(n, 12);
	size_t i = 0;
	while (i < len && is_space(buf[i]))
		i++;
	while (len > i && is_space(buf[len - 1]))
		len--;
	bool neg = i < len && buf[i] == '-';
	if (i < len && (buf[i] == '-' || buf[i] == '+'))
		i++;
	u64 v;
	if (i >= len || !parse_u64(buf + i, len - i, &v))
		return -EINVAL;
	if (v > 1000)
		return -EINVAL;
	oom_score_adj = neg ? -(int)v : (int)v;
	return (ssize_t)MIN(n, 12);
}

/* ---- mounts ---------------------------------------------------------------------------------- */

/* What is mounted: the root tmpfs (which also holds /dev, /dev/shm and /tmp: they are directories
 * of it, not mounts of their own), /proc and /sys. */
struct mount_row {
	int id, parent;
	const struct fs_info *fs;
	const char *source, *point, *opts;
};

static const struct mount_row mount_rows[] = {
	{ 1, 1, &tmpfs_fs, "rootfs", "/", "rw" },
	{ 2, 1, &proc_fs, "proc", "/proc", "rw,nosuid,nodev,noexec,relatime" },
	{ 3, 1, &sys_fs, "sysfs", "/sys", "rw,nosuid,nodev,noexec,relatime" },
};

void pid_mounts(struct textbuf *t, u64 arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_rows); i++) {
		const struct mount_row *r = &mount_rows[i];
		tb_printf(t, "%s %s %s %s 0 0\n", r->source, r->point, r->fs->name, r->opts);
	}
}

void pid_mountinfo(struct textbuf *t, u64 arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_rows); i++) {
		const struct mount_row *r = &mount_rows[i];
		tb_printf(t, "%d %d %lu:%lu / %s %s - %s %s rw\n", r->id, r->parent,
			  dev_major(r->fs->dev), dev_minor(r->fs->dev), r->point, r->opts, r->fs->name,
			  r->source);
	}
}

static int mount_id(const struct inode *i)
{
	for (size_t k = 0; i && k < ARRAY_SIZE(mount_rows); k++)
		if (mount_rows[k].fs == i->fs)
			return mount_rows[k].id;
	return 0;
}

/* ---- fdinfo ---------------------------------------------------------------------------------- */

void pid_fdinfo(struct textbuf *t, u64 fd)
{
	struct file *f = fd_get((int)fd);
	if (!f)
		return;
	u32 flags = f->flags;
	if (fd_cloexec((int)fd))
		flags |= O_CLOEXEC;
	/* open(2) on x86-64 always adds O_LARGEFILE (force_o_largefile()). */
	if (f->path)
		flags |= O_LARGEFILE;
	tb_printf(t, "pos:\t%lu\nflags:\t0%o\nmnt_id:\t%d\nino:\t%lu\n", f->pos, flags,
		  mount_id(f->inode), f->inode ? f->inode->ino : 0UL);
}
