/* A synthetic inode keeps its table entry and an argument (e.g. a descriptor number) in priv;
 * a file's text is generated into the inode's `lower` bytes when it is looked up. Each lookup
 * makes a fresh inode, freed with its last reference, which also drops the parent it holds. */
#include "fs/synth.h"
#include "fs/vfs.h"
#include "fs/file.h"
#include "mm/kheap.h"
#include "lib/format.h"
#include "lib/string.h"
#include "errno.h"
#include <linux/stat.h>
#include <linux/magic.h>

struct synth_node {
	const struct synth_entry *entry;
	u64 arg;
	char *text;
};

void tb_put(struct textbuf *t, const void *data, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n > t->cap) {
		size_t cap = MAX(t->cap * 2, t->len + n + 256);
		char *b = kmalloc(cap);
		if (!b) {
			t->oom = true;
			return;
		}
		if (t->buf)
			memcpy(b, t->buf, t->len);
		kfree(t->buf);
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, data, n);
	t->len += n;
}

void tb_printf(struct textbuf *t, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	tb_put(t, tmp, MIN((size_t)n, sizeof(tmp) - 1));
}

/* Reads the snapshot taken at lookup (lower_size bytes); the inode's size is what stat shows. */
static ssize_t synth_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	const struct inode *i = f->inode;
	if (*pos >= i->lower_size)
		return 0;
	n = MIN(n, i->lower_size - *pos);
	memcpy(buf, i->lower + *pos, n);
	*pos += n;
	return (ssize_t)n;
}
/* The written bytes go to the entry's store hook; the offset does not move, as with Linux's
 * proc files that take a value (comm, oom_score_adj). */
static ssize_t synth_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	struct synth_node *node = f->inode->priv;
	if (!node || !node->entry->store)
		return -EINVAL;
	return node->entry->store(buf, n, node->arg);
}
static long synth_ioctl(struct file *f, unsigned cmd, uptr_t arg) { return -ENOTTY; }
static const struct file_ops synth_file_ops = {
	.read = synth_read, .write = synth_write, .ioctl = synth_ioctl, .seekable = true,
};

static int synth_lookup(struct inode *dir, const char *name, size_t len, struct inode **out);
static int synth_iterate(struct inode *dir, u64 pos, struct dir_emit *ctx);
static long synth_readlink(struct inode *i, char *buf, size_t size);
static struct inode *synth_follow(struct inode *i);
static void synth_release(struct inode *i);

static const struct inode_ops synth_iops = {
	.lookup = synth_lookup, .iterate = synth_iterate, .readlink = synth_readlink, .follow = synth_follow,
	.release = synth_release,
};

static struct inode *make(struct inode *parent, const struct fs_info *fs,
			  const struct synth_entry *e, u64 arg)
{
	struct inode *i = inode_new(fs, e->mode);
	struct synth_node *n = kzalloc(sizeof(*n));
	if (!i || !n) {
		kfree(i);
		kfree(n);
		return NULL;
	}
	n->entry = e;
	n->arg = arg;
	i->priv = n;
	i->iops = &synth_iops;
	if (parent) {
		i->parent = parent;
		inode_get(parent);
	}
	if (S_ISREG(e->mode)) {
		struct textbuf t = { 0 };
		if (e->show)
			e->show(&t, arg);
		n->text = t.buf;
		i->lower = (const u8 *)t.buf;
		i->lower_size = t.oom ? 0 : t.len;
		/* stat shows size 0 for proc files and a page for sysfs attributes, as on Linux:
		 * programs read them to EOF. */
		i->size = fs->magic == SYSFS_MAGIC ? PAGE_SIZE : 0;
		i->fops = &synth_file_ops;
	}
	/* Nothing links it into a directory: it lives as long as it is referenced. */
	i->nlink = 0;
	return i;
}

static void synth_release(struct inode *i)
{
	struct synth_node *n = i->priv;
	if (n)
		kfree(n->text);
	kfree(n);
	i->lower = NULL;
	if (i->parent && i->parent != i)
		inode_put(i->parent);
}

struct inode *synth_root(const struct fs_info *fs, const struct synth_entry *children)
{
	static struct synth_entry roots[4];
	static int nroots;
	if (nroots == ARRAY_SIZE(roots))
		return NULL;
	struct synth_entry *e = &roots[nroots++];
	*e = (struct synth_entry){ .name = "", .mode = S_IFDIR | 0555, .children = children };
	struct inode *i = make(NULL, fs, e, 0);
	if (i)
		i->refs = 1; /* held by the mount for ever */
	return i;
}

static int synth_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct synth_node *n = dir->priv;
	const struct synth_entry *e = n->entry;
	for (const struct synth_entry *c = e->children; c && c->name; c++) {
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0) {
			struct inode *i = make(dir, dir->fs, c, n->arg);
			if (!i)
				return -ENOMEM;
			inode_get(i);
			*out = i;
			return 0;
		}
	}
	if (e->dyn) {
		const struct synth_entry *c;
		u64 arg;
		int err = e->dyn->find(dir, name, len, &c, &arg);
		if (err)
			return err;
		struct inode *i = make(dir, dir->fs, c, arg);
		if (!i)
			return -ENOMEM;
		inode_get(i);
		*out = i;
		return 0;
	}
	return -ENOENT;
}

/* Positions: 0 ".", 1 "..", then 2+k for the k-th static entry, then dynamic ones. */
static int synth_iterate(struct inode *dir, u64 pos, struct dir_emit *ctx)
{
	struct synth_node *n = dir->priv;
	const struct synth_entry *e = n->entry;
	if (pos < 1 && !ctx->emit(ctx, ".", 1, dir->ino, S_IFDIR, 1))
		return 0;
	if (pos < 2 && !ctx->emit(ctx, "..", 2, dir->parent ? dir->parent->ino : dir->ino, S_IFDIR, 2))
		return 0;
	u64 k = 0;
	for (const struct synth_entry *c = e->children; c && c->name; c++, k++) {
		if (2 + k < pos)
			continue;
		if (!ctx->emit(ctx, c->name, strlen(c->name), 0x1000 + k, c->mode, 2 + k + 1))
			return 0;
	}
	if (e->dyn) {
		char name[32];
		for (u64 d = 0;; d++) {
			const struct synth_entry *c;
			size_t len;
			u64 arg;
			if (!e->dyn->nth(dir, d, &c, name, &len, &arg))
				break;
			u64 at = 2 + k + d;
			if (at + 1 <= pos)
				continue;
			if (!ctx->emit(ctx, name, len, 0x2000 + d, c->mode, at + 1))
				return 0;
		}
	}
	return 0;
}

static struct inode *synth_follow(struct inode *i)
{
	struct synth_node *n = i->priv;
	return n->entry->follow ? n->entry->follow(n->arg) : NULL;
}

static long synth_readlink(struct inode *i, char *buf, size_t size)
{
	struct synth_node *n = i->priv;
	struct textbuf t = { 0 };
	n->entry->link(&t, n->arg);
	if (t.oom)
		return -ENOMEM;
	size_t len = MIN(t.len, size);
	memcpy(buf, t.buf, len);
	kfree(t.buf);
	return (long)len;
}

/* The absolute path of a tmpfs directory, by climbing to the root. */
void dir_path(struct textbuf *t, struct inode *i)
{
	if (i == vfs_root || !i->parent) {
		tb_put(t, "/", 1);
		return;
	}
	const char *names[64];
	size_t lens[64];
	int n = 0;
	for (; i != vfs_root && i->parent && n < 64; i = i->parent) {
		struct child *c;
		for (c = i->parent->children; c && c->inode != i; c = c->next)
			;
		if (!c)
			break;
		names[n] = c->name;
		lens[n++] = c->len;
	}
	for (int k = n - 1; k >= 0; k--) {
		tb_put(t, "/", 1);
		tb_put(t, names[k], lens[k]);
	}
}

