/* Reads /.monos/manifest: NUL-terminated "key=value" records, in place in the initramfs. */
#include "proc/manifest.h"
#include "fs/initramfs.h"
#include "mm/kheap.h"
#include "core/log.h"
#include "lib/string.h"

#define MANIFEST_PATH "/.monos/manifest"

bool manifest_load(struct manifest *m)
{
	const struct initramfs_file *f = initramfs_lookup(MANIFEST_PATH);
	if (!f) {
		kerr("monos: the image has no %s; was it made by `monos run`?\n", MANIFEST_PATH);
		return false;
	}
	const char *p = (const char *)f->data, *end = p + f->size;
	if (f->size == 0 || end[-1] != '\0') {
		kerr("monos: %s is malformed (records must end with NUL)\n", MANIFEST_PATH);
		return false;
	}
	int nrec = 0;
	for (const char *q = p; q < end; q += strlen(q) + 1)
		nrec++;
	m->argv = kzalloc(sizeof(char *) * (nrec + 1));
	m->envp = kzalloc(sizeof(char *) * (nrec + 1));
	if (!m->argv || !m->envp)
		return false;
	m->cwd = "/";
	for (; p < end; p += strlen(p) + 1) {
		if (str_starts_with(p, "exe="))
			m->exe = p + 4;
		else if (str_starts_with(p, "arg="))
			m->argv[m->argc++] = p + 4;
		else if (str_starts_with(p, "env="))
			m->envp[m->envc++] = p + 4;
		else if (str_starts_with(p, "cwd="))
			m->cwd = p + 4;
	}
	if (!m->exe) {
		kerr("monos: %s names no executable (exe=)\n", MANIFEST_PATH);
		return false;
	}
	if (m->argc == 0)
		m->argv[m->argc++] = m->exe;
	return true;
}
