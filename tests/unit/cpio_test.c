/* Unit test of the cpio newc writer (tools/monos/cpio.c). Archives it writes must parse
 * under the rules of Linux's initramfs unpacker (init/initramfs.c), list and extract with
 * GNU cpio, and have every regular file's data start on a 4096-byte boundary. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "cpio.h"

#define ALIGN 4096

struct entry {
	char *name;		/* up to the first NUL of the name field */
	unsigned mode;
	unsigned nlink;
	uint64_t size;
	uint64_t namesize;
	uint64_t data_off;	/* offset of the data in the archive */
};

struct archive {
	unsigned char *buf;
	size_t len;
	struct entry *e;
	size_t n;
};

static char tmp[256];	/* scratch directory */

static bool hex8(const unsigned char *p, uint64_t *out)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) {
		int c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Parses like Linux's unpacker does: headers on 4-byte boundaries, namesize between 1 and
 * PATH_MAX with the field's last byte NUL, data after the name padded to 4, TRAILER!!!,
 * then only zeros. Returns NULL, or what is wrong. */
static const char *parse(struct archive *a)
{
	static char why[256];
	size_t off = 0;

	a->e = NULL;
	a->n = 0;
	for (;;) {
		uint64_t f[13];
		if (off % 4)
			return "header not on a 4-byte boundary";
		if (off + CPIO_HEADER_SIZE > a->len)
			return "archive ends inside a header";
		if (memcmp(a->buf + off, "070701", 6) != 0) {
			snprintf(why, sizeof(why), "bad magic at offset %zu", off);
			return why;
		}
		for (int i = 0; i < 13; i++)
			if (!hex8(a->buf + off + 6 + 8 * i, &f[i]))
				return "bad hex digit in a header";
		uint64_t namesize = f[11], size = f[6];
		if (namesize < 1 || namesize > 4096)
			return "namesize outside 1..PATH_MAX (Linux skips such entries)";
		if (off + CPIO_HEADER_SIZE + namesize > a->len)
			return "archive ends inside a name";
		const unsigned char *name = a->buf + off + CPIO_HEADER_SIZE;
		if (name[namesize - 1] != '\0')
			return "name field without a final NUL";
		uint64_t data = (off + CPIO_HEADER_SIZE + namesize + 3) & ~(uint64_t)3;
		if (data + size > a->len)
			return "archive ends inside file data";
		a->e = realloc(a->e, (a->n + 1) * sizeof(*a->e));
		struct entry *e = &a->e[a->n++];
		e->name = strdup((const char *)name);
		e->mode = f[1];
		e->nlink = f[4];
		e->size = size;
		e->namesize = namesize;
		e->data_off = data;
		off = (data + size + 3) & ~(size_t)3;
		if (strcmp(e->name, "TRAILER!!!") == 0)
			break;
	}
	for (; off < a->len; off++)
		if (a->buf[off] != 0)
			return "non-zero bytes after the trailer";
	return NULL;
}

static bool read_file(const char *path, unsigned char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		return false;
	*buf = malloc(st.st_size + 1);
	*len = st.st_size;
	bool ok = read(fd, *buf, st.st_size) == st.st_size;
	close(fd);
	return ok;
}

/* Runs CMD with sh -c; returns its exit status, -1 if it did not exit. */
static int shell(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed + (i >> 12));
}

/* ---- the main archive: a little of everything ---- */

struct want {
	const char *name;	/* as passed to the writer */
	const char *stored;	/* as stored */
	unsigned type;
	size_t size;
	unsigned seed;
};

static const struct want wants[] = {
	{ "/usr",              "usr",              S_IFDIR, 0, 0 },
	{ "/usr/bin",          "usr/bin",          S_IFDIR, 0, 0 },
	{ "/usr/bin/prog",     "usr/bin/prog",     S_IFREG, 10000, 1 },	/* from an fd */
	{ "/usr/bin/link",     "usr/bin/link",     S_IFLNK, 4, 0 },
	{ "/empty",            "empty",            S_IFREG, 0, 0 },
	{ "/one",              "one",              S_IFREG, 1, 2 },
	{ "/page-minus-one",   "page-minus-one",   S_IFREG, 4095, 3 },
	{ "/page",             "page",             S_IFREG, 4096, 4 },
	{ "/page-plus-one",    "page-plus-one",    S_IFREG, 4097, 5 },
	{ "/",                 ".",                S_IFDIR, 0, 0 },
};
#define NWANTS (sizeof(wants) / sizeof(wants[0]))

static bool write_main_archive(const char *path, const char **why)
{
	struct cpio_writer w;
	static unsigned char data[10000];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	char src[300];
	snprintf(src, sizeof(src), "%s/src", tmp);
	int sfd = open(src, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || sfd < 0) {
		*why = strerror(errno);
		return false;
	}
	cpio_init(&w, fd, ALIGN);
	int err = 0;
	for (size_t i = 0; i < NWANTS && !err; i++) {
		const struct want *x = &wants[i];
		pattern(data, x->size, x->seed);
		if (x->type == S_IFDIR) {
			err = cpio_add_dir(&w, x->name, 0755, 1000);
		} else if (x->type == S_IFLNK) {
			err = cpio_add_symlink(&w, x->name, "prog", 1000);
		} else if (!strcmp(x->name, "/usr/bin/prog")) {
			/* From an fd at an offset: 7 junk bytes, then the data. */
			if (write(sfd, "junkjnk", 7) != 7 || write(sfd, data, x->size) != (ssize_t)x->size)
				err = -EIO;
			else
				err = cpio_add_file_fd(&w, x->name, 0755, 1000, sfd, 7, x->size);
		} else {
			err = cpio_add_file(&w, x->name, 0644, 1000, data, x->size);
		}
	}
	if (!err)
		err = cpio_finish(&w);
	close(fd);
	close(sfd);
	if (err)
		*why = strerror(-err);
	return !err;
}

static void test_main_archive(void)
{
	char path[300], cmd[1024];
	const char *why = "";
	struct archive a;
	static unsigned char data[10000];

	snprintf(path, sizeof(path), "%s/main.cpio", tmp);
	if (!check("cpio.write", write_main_archive(path, &why), "%s", why))
		return;
	if (!check("cpio.read_back", read_file(path, &a.buf, &a.len), "cannot read %s", path))
		return;
	why = parse(&a);
	if (!check("cpio.linux_rules", why == NULL, "%s", why))
		return;

	/* Every wanted entry in order; "." fillers may sit in between. */
	size_t k = 0;
	bool names = true, types = true, content = true, aligned = true;
	char bad[1024] = "";
	for (size_t i = 0; i < a.n && strcmp(a.e[i].name, "TRAILER!!!"); i++) {
		struct entry *e = &a.e[i];
		if (k < NWANTS && strcmp(e->name, wants[k].stored) == 0) {
			const struct want *x = &wants[k++];
			if ((e->mode & S_IFMT) != x->type || e->size != x->size) {
				types = false;
				snprintf(bad, sizeof(bad), "%s: mode %o size %llu", e->name, e->mode,
					 (unsigned long long)e->size);
			}
			if (x->type == S_IFREG && x->size) {
				pattern(data, x->size, x->seed);
				if (memcmp(a.buf + e->data_off, data, x->size) != 0)
					content = false;
				if (e->data_off % ALIGN)
					aligned = false;
			}
			if (x->type == S_IFLNK && memcmp(a.buf + e->data_off, "prog", 4) != 0)
				content = false;
		} else if (strcmp(e->name, ".") != 0 || (e->mode & S_IFMT) != S_IFDIR) {
			names = false;
			snprintf(bad, sizeof(bad), "unexpected entry %s", e->name);
		}
	}
	check("cpio.names", names && k == NWANTS, "%s (matched %zu of %zu)", bad, k, NWANTS);
	check("cpio.types_and_sizes", types, "%s", bad);
	check("cpio.file_data", content, "file data differs from what was written");
	check("cpio.page_aligned", aligned, "a regular file's data is not on a 4096 boundary");
	check("cpio.trailer", a.n && strcmp(a.e[a.n - 1].name, "TRAILER!!!") == 0, "no trailer");
	check("cpio.block_padding", a.len % 512 == 0, "archive size %zu is not a multiple of 512",
	      a.len);

	/* GNU cpio lists exactly our names, fillers included. */
	if (!check("cpio.gnu_cpio_installed", shell("cpio --version >/dev/null 2>&1") == 0,
		   "GNU cpio is not installed (apt-get install cpio)"))
		return;
	snprintf(cmd, sizeof(cmd), "cpio -t --quiet < %s > %s/list 2>%s/list.err", path, tmp, tmp);
	int st = shell(cmd);
	char list[300];
	snprintf(list, sizeof(list), "%s/list", tmp);
	unsigned char *lbuf;
	size_t llen;
	bool listed = st == 0 && read_file(list, &lbuf, &llen);
	if (listed) {
		lbuf[llen] = '\0';
		char *expect = calloc(1, 65536);
		for (size_t i = 0; i + 1 < a.n; i++)
			strcat(strcat(expect, a.e[i].name), "\n");
		listed = strcmp((char *)lbuf, expect) == 0;
		free(expect);
		free(lbuf);
	}
	check("cpio.gnu_list", listed, "cpio -t failed or listed other names (exit %d, see %s)",
	      st, list);

	/* ... and extracts them with the right contents. */
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/x && cd %s/x && cpio -id --quiet < %s", tmp, tmp,
		 path);
	st = shell(cmd);
	bool extracted = st == 0;
	for (size_t i = 0; extracted && i < NWANTS; i++) {
		const struct want *x = &wants[i];
		char p[600];
		snprintf(p, sizeof(p), "%s/x/%s", tmp, x->stored);
		struct stat s;
		if (lstat(p, &s) != 0 || (s.st_mode & S_IFMT) != x->type) {
			extracted = false;
			snprintf(bad, sizeof(bad), "%s missing or of the wrong type", p);
		} else if (x->type == S_IFREG) {
			unsigned char *b;
			size_t n;
			pattern(data, x->size, x->seed);
			if (!read_file(p, &b, &n) || n != x->size || memcmp(b, data, n) != 0) {
				extracted = false;
				snprintf(bad, sizeof(bad), "%s has other contents", p);
			}
		} else if (x->type == S_IFLNK) {
			char t[16] = "";
			if (readlink(p, t, sizeof(t) - 1) != 4 || strcmp(t, "prog") != 0) {
				extracted = false;
				snprintf(bad, sizeof(bad), "%s does not point to prog", p);
			}
		}
	}
	check("cpio.gnu_extract", extracted, "cpio -id exit %d; %s", st, bad);
}

/* ---- every alignment case: names short to PATH_MAX, many offsets ---- */

static void test_sweep(void)
{
	char path[300], cmd[700];
	static char name[5000];
	static unsigned char data[6000];
	struct cpio_writer w;
	struct archive a;
	size_t files = 0;

	snprintf(path, sizeof(path), "%s/sweep.cpio", tmp);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cpio_init(&w, fd, ALIGN);
	int err = 0;
	/* Name lengths cover both the name-padding path and the filler path (long names
	 * leave no room in the name field); sizes shift the next header's offset. */
	size_t lens[] = { 1, 2, 3, 4, 5, 50, 100, 255, 1000, 2000, 3000, 3990, 3999, 4000,
			  4050, 4089, 4090, 4091, 4092, 4093, 4094, 4095 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]) && !err; i++) {
		for (size_t size = 1; size < 6000 && !err; size += 397) {
			memset(name, 'a' + files % 26, lens[i]);
			name[lens[i]] = '\0';
			pattern(data, size, files);
			err = cpio_add_file(&w, name, 0644, 0, data, size);
			files++;
			if (!err && files % 3 == 0)	/* directories shift offsets by odd amounts */
				err = cpio_add_dir(&w, name + lens[i] / 2, 0755, 0);
		}
	}
	if (!err)
		err = cpio_finish(&w);
	close(fd);
	if (!check("cpio.sweep_write", !err, "%s", strerror(-err)))
		return;
	if (!read_file(path, &a.buf, &a.len))
		return (void)check("cpio.sweep_read", false, "cannot read %s", path);
	const char *why = parse(&a);
	if (!check("cpio.sweep_linux_rules", why == NULL, "%s", why))
		return;

	size_t regs = 0, fillers = 0, misaligned = 0, padded = 0;
	for (size_t i = 0; i < a.n; i++) {
		struct entry *e = &a.e[i];
		if ((e->mode & S_IFMT) == S_IFREG && e->size) {
			regs++;
			if (e->data_off % ALIGN)
				misaligned++;
			if (e->namesize > strlen(e->name) + 1)
				padded++;
		}
		if (!strcmp(e->name, ".") && (e->mode & S_IFMT) == S_IFDIR)
			fillers++;
	}
	check("cpio.sweep_page_aligned", regs == files && misaligned == 0,
	      "%zu of %zu files misaligned (%zu seen)", misaligned, files, regs);
	check("cpio.sweep_uses_name_padding", padded > 0, "no name field was padded");
	check("cpio.sweep_uses_fillers", fillers > 0, "no filler entry was needed");
	snprintf(cmd, sizeof(cmd), "cpio -t --quiet < %s > /dev/null 2>&1", path);
	check("cpio.sweep_gnu_list", shell(cmd) == 0, "cpio -t rejects the archive");
	free(a.buf);
}

/* ---- without alignment the output is the classic layout ---- */

static void test_unaligned(void)
{
	char path[300];
	struct cpio_writer w;
	struct archive a;

	snprintf(path, sizeof(path), "%s/plain.cpio", tmp);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cpio_init(&w, fd, 4);
	int err = cpio_add_file(&w, "a", 0644, 0, "hello", 5);
	if (!err)
		err = cpio_add_file(&w, "bb", 0644, 0, "world!", 6);
	if (!err)
		err = cpio_finish(&w);
	close(fd);
	if (!check("cpio.unaligned_write", !err, "%s", strerror(-err)) ||
	    !read_file(path, &a.buf, &a.len))
		return;
	const char *why = parse(&a);
	bool ok = !why && a.n == 3 && a.e[0].namesize == 2 && a.e[0].data_off == 112 &&
		  a.e[1].data_off == 236 && a.e[1].namesize == 3;
	check("cpio.unaligned_layout", ok, "%s", why ? why : "offsets or name sizes differ");
	free(a.buf);
}

/* ---- errors are reported, not written ---- */

static void test_errors(void)
{
	static char name[5000];
	char path[300];
	struct cpio_writer w;

	snprintf(path, sizeof(path), "%s/err.cpio", tmp);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cpio_init(&w, fd, ALIGN);
	memset(name, 'n', 4096);	/* with its NUL: 4097 > PATH_MAX */
	name[4096] = '\0';
	check("cpio.name_too_long", cpio_add_file(&w, name, 0644, 0, "x", 1) == -ENAMETOOLONG &&
	      cpio_add_dir(&w, name, 0755, 0) == -ENAMETOOLONG, "a 4096-char name was accepted");
	name[4095] = '\0';
	check("cpio.name_longest", cpio_add_file(&w, name, 0644, 0, "x", 1) == 0,
	      "a 4095-char name was refused");

	char spath[300];
	snprintf(spath, sizeof(spath), "%s/ten-bytes", tmp);
	int src = open(spath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int r = write(src, "0123456789", 10) == 10 ? 0 : -1;
	if (r == 0)
		r = cpio_add_file_fd(&w, "short", 0644, 0, src, 0, 11);
	check("cpio.short_source", r == -EIO, "copying past the end gave %d, not -EIO", r);
	close(src);
	close(fd);

	fd = open(path, O_RDONLY);
	cpio_init(&w, fd, ALIGN);
	r = cpio_add_file(&w, "x", 0644, 0, "x", 1);
	check("cpio.write_error", r == -EBADF, "writing to a read-only fd gave %d", r);
	close(fd);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/cpio_test.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp)) {
		check("cpio.tmpdir", false, "mkdtemp %s: %s", tmp, strerror(errno));
		return 1;
	}
	test_main_archive();
	test_sweep();
	test_unaligned();
	test_errors();

	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (!check_failed)
		shell(cmd);
	else
		printf("# scratch files kept in %s\n", tmp);
	return check_exit();
}
