/* Starting the program: load the ELF named by the manifest, lay out the address space with
 * Linux's randomization (stack, mmap base, brk, PIE base), build the initial stack exactly as
 * Linux's create_elf_tables() does (argc, argv, envp, auxv, strings), and drop to ring 3. */
#include "proc/process.h"
#include "proc/manifest.h"
#include "proc/elf.h"
#include "proc/vdso.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "mm/vm.h"
#include "mm/usercopy.h"
#include "mm/kheap.h"
#include "core/cmdline.h"
#include "core/random.h"
#include "core/log.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/asm.h"
#include "arch/x86_64/regs.h"
#include "arch/x86_64/gdt.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/auxvec.h>
#include <linux/stat.h>

#define STACK_SIZE (8UL << 20)          /* RLIMIT_STACK's default */
#define STACK_RND_PAGES 0x3fffffUL       /* 22 bits of pages: Linux's x86-64 stack randomization */
#define MMAP_RND_PAGES ((1UL << 28) - 1) /* mmap_rnd_bits = 28 */
#define BRK_RND_BYTES 0x02000000UL       /* arch_randomize_brk: within 32 MiB */
#define MMAP_GAP (128UL << 20)           /* Linux's minimum gap between stack and mmap base */
#define ELF_ET_DYN_BASE 0x555555554000UL /* 2/3 of the address space, page-aligned */
#define PIE_RND_PAGES ((1UL << 28) - 1)

extern void __noreturn enter_user(struct regs *r);

static u64 rnd_pages(u64 mask)
{
	return options.aslr ? (random_u64() & mask) << PAGE_SHIFT : 0;
}

/* Pushes bytes below *sp on the app's stack; returns their address. */
static uptr_t push_bytes(uptr_t *sp, const void *p, size_t n)
{
	*sp -= n;
	if (copy_to_user(*sp, p, n))
		panic("cannot write the initial stack at %lx", *sp);
	return *sp;
}

static uptr_t push_string(uptr_t *sp, const char *s)
{
	return push_bytes(sp, s, strlen(s) + 1);
}

static uptr_t build_stack(const struct manifest *m, const struct elf_image *img, vaddr_t base,
			  uptr_t top)
{
	uptr_t sp = top;
	uptr_t execfn = push_string(&sp, m->exe);
	uptr_t *envp = kmalloc(sizeof(uptr_t) * (m->envc + 1));
	uptr_t *argv = kmalloc(sizeof(uptr_t) * (m->argc + 1));
	if (!envp || !argv)
		panic("out of memory building the initial stack");
	for (int i = m->envc - 1; i >= 0; i--)
		envp[i] = push_string(&sp, m->envp[i]);
	for (int i = m->argc - 1; i >= 0; i--)
		argv[i] = push_string(&sp, m->argv[i]);
	envp[m->envc] = argv[m->argc] = 0;
	uptr_t platform = push_string(&sp, "x86_64");
	u8 random[16];
	random_bytes(random, sizeof(random));
	sp &= ~15UL;
	uptr_t at_random = push_bytes(&sp, random, sizeof(random));

	u64 *aux = proc.auxv;
	int n = 0;
#define AUX(k, v) (aux[n++] = (k), aux[n++] = (v))
	AUX(AT_SYSINFO_EHDR, vdso_map()); /* first, as Linux's ARCH_DLINFO puts it */
	AUX(AT_HWCAP, cpu_features.hwcap);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, img->phdr);
	AUX(AT_PHENT, img->phent);
	AUX(AT_PHNUM, img->phnum);
	AUX(AT_BASE, base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, img->entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, at_random);
	AUX(AT_HWCAP2, 0);
	AUX(AT_EXECFN, execfn);
	AUX(AT_PLATFORM, platform);
	AUX(AT_NULL, 0);
#undef AUX
	proc.nauxv = n;

	/* argc, argv[], NULL, envp[], NULL, auxv[]: the whole block keeps sp 16-byte aligned. */
	size_t words = 1 + (m->argc + 1) + (m->envc + 1) + n;
	if (words & 1)
		sp -= 8;
	push_bytes(&sp, aux, n * sizeof(u64));
	push_bytes(&sp, envp, (m->envc + 1) * sizeof(uptr_t));
	push_bytes(&sp, argv, (m->argc + 1) * sizeof(uptr_t));
	u64 argc = m->argc;
	push_bytes(&sp, &argc, sizeof(argc));
	kfree(envp);
	kfree(argv);
	return sp;
}

/* The bytes of an executable file of the image. Files are exec'd from the initrd's bytes, which
 * are contiguous; a file the app has changed cannot be exec'd yet (and one process never execs
 * after start). */
static int exec_file(const char *path, struct inode **file, const u8 **data, u64 *size)
{
	struct inode *i;
	int err = path_walk(vfs_root, path, LOOKUP_FOLLOW, &i);
	if (err) {
		kerr("monos: %s: %s\n", path, err == -ENOENT ? "not found in the image" : "cannot be resolved");
		return err;
	}
	if (!S_ISREG(i->mode)) {
		kerr("monos: %s: not a regular file\n", path);
		inode_put(i);
		return -EACCES;
	}
	*data = i->lower;
	*size = i->size;
	if (i->pages || i->lower_size != i->size) {
		kerr("monos: %s: changed since boot; cannot be executed\n", path);
		inode_put(i);
		return -ETXTBSY;
	}
	/* The mappings take their own references; the image's files live as long as the VM. */
	*file = i;
	return 0;
}

void exec_start(void)
{
	struct manifest m = { 0 };
	if (!manifest_load(&m))
		return;
	struct inode *cwd;
	if (path_walk(vfs_root, m.cwd, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &cwd)) {
		kerr("monos: the working directory %s is not a directory of the image; using /\n", m.cwd);
		inode_get(vfs_root);
		cwd = vfs_root;
	}
	proc.cwd = cwd;
	const u8 *data;
	u64 size;
	struct inode *exe_inode, *interp_inode = NULL;
	if (exec_file(m.exe, &exe_inode, &data, &size))
		return;
	struct elf_image img, interp = { 0 };
	const u8 *interp_data = NULL;
	u64 interp_size;
	if (elf_inspect(data, size, &img))
		return;
	if (img.interp) {
		if (exec_file(img.interp, &interp_inode, &interp_data, &interp_size) ||
		    elf_inspect(interp_data, interp_size, &interp))
			return;
		if (interp.interp) {
			kerr("monos: %s: the interpreter %s names an interpreter itself\n", m.exe,
			     img.interp);
			return;
		}
	}
	proc.exe_path = m.exe;
	proc.argv = m.argv;
	proc.envp = m.envp;
	/* The thread is named after the file, cut to 15 bytes, as Linux's exec sets comm. */
	const char *base = m.exe;
	for (const char *c = m.exe; *c; c++)
		if (*c == '/')
			base = c + 1;
	struct thread *self = current_thread();
	size_t n = MIN(strlen(base), sizeof(self->comm) - 1);
	memcpy(self->comm, base, n);
	self->comm[n] = '\0';

	mm.stack_top = USER_TOP - rnd_pages(STACK_RND_PAGES);
	mm.mmap_base = PAGE_ALIGN_DOWN(mm.stack_top - STACK_SIZE - MMAP_GAP - rnd_pages(MMAP_RND_PAGES));
	if (elf_is_dyn(data))
		img.load_bias = ELF_ET_DYN_BASE + rnd_pages(PIE_RND_PAGES);
	if (elf_map(data, &img, exe_inode, m.exe))
		return;
	if (interp_data) {
		/* The interpreter goes where mmap would put it, as Linux's load_elf_interp does. */
		u64 span = elf_span(interp_data);
		vaddr_t at = vm_find_free(span, 0);
		if (!at) {
			kerr("monos: no room for the interpreter %s\n", img.interp);
			return;
		}
		interp.load_bias = at - elf_first_vaddr(interp_data);
		if (elf_map(interp_data, &interp, interp_inode, img.interp))
			return;
	}
	mm.brk_start = mm.brk = img.end + (options.aslr ? random_u64() % BRK_RND_BYTES & PAGE_MASK : 0);
	u32 stack_prot = VM_READ | VM_WRITE | (img.exec_stack ? VM_EXEC : 0);
	if (vm_map(mm.stack_top - STACK_SIZE, STACK_SIZE, stack_prot, VMA_STACK, NULL, 0))
		panic("out of memory mapping the stack");
	uptr_t sp = build_stack(&m, &img, interp_data ? interp.load_bias : 0, mm.stack_top);

	struct thread *t = current_thread();
	struct regs *r = (struct regs *)(t->kstack + KERNEL_STACK_SIZE) - 1;
	memset(r, 0, sizeof(*r));
	r->rip = interp_data ? interp.entry : img.entry;
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->rsp = sp;
	r->rflags = 0x202; /* IF, as Linux starts a process */
	kprintf("exec: %s entry %lx sp %lx brk %lx\n", m.exe, img.entry, sp, mm.brk);
	enter_user(r);
}
