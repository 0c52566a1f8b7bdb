/* Profiles as data (profile.h has the format): parsing, matching a program's names, and
 * the ${name} variable. What a profile adds is packed by pack.c. */
#define _GNU_SOURCE
#include "profile.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static void push_words(struct strvec *v, char *s, const char *prefix)
{
	char *save, *tok;
	for (tok = strtok_r(s, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		strvec_pushf(v, "%s%s", prefix, tok);
}

int profile_parse(const char *name, const char *text, struct profile *out)
{
	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	char *copy = xstrdup(text), *line = copy;
	int lineno = 0, r = 0;
	while (line && r == 0) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		*strchrnul(line, '#') = '\0';
		char *p = line + strspn(line, " \t\r");
		size_t kw = strcspn(p, " \t\r");
		char *args = p + kw + strspn(p + kw, " \t\r");
		size_t n = strlen(args);
		while (n && (args[n - 1] == ' ' || args[n - 1] == '\t' || args[n - 1] == '\r'))
			args[--n] = '\0';
		if (kw == 0) {
			/* blank */
		} else if (!*args) {
			msg("profile %s, line %d: '%.*s' needs at least one argument", name, lineno,
			    (int)kw, p);
			r = -1;
		} else if (kw == 5 && strncmp(p, "match", 5) == 0) {
			push_words(&out->match, args, "");
		} else if (kw == 3 && strncmp(p, "add", 3) == 0) {
			push_words(&out->add, args, "");
		} else if (kw == 4 && strncmp(p, "add?", 4) == 0) {
			push_words(&out->add, args, "?");
		} else if (kw == 7 && strncmp(p, "exclude", 7) == 0) {
			push_words(&out->exclude, args, "");
		} else {
			msg("profile %s, line %d: unknown keyword '%.*s' (match, add, add? or exclude)",
			    name, lineno, (int)kw, p);
			r = -1;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	if (r == 0 && out->match.n == 0) {
		msg("profile %s: no 'match' line", name);
		r = -1;
	}
	if (r < 0)
		profile_free(out);
	return r;
}

void profile_free(struct profile *p)
{
	free(p->name);
	strvec_free(&p->match);
	strvec_free(&p->add);
	strvec_free(&p->exclude);
	p->name = NULL;
}

bool profile_matches(const struct profile *p, char *const *names)
{
	for (size_t i = 0; i < p->match.n; i++)
		for (char *const *n = names; *n; n++)
			if (fnmatch(p->match.v[i], *n, 0) == 0)
				return true;
	return false;
}

char *profile_expand(const char *s, const char *name)
{
	static const char var[] = "${name}";
	size_t cap = strlen(s) + 1, n = 0;
	char *out = xmalloc(cap);
	while (*s) {
		const char *v = strstr(s, var);
		size_t lit = v ? (size_t)(v - s) : strlen(s);
		size_t add = lit + (v ? strlen(name) : 0);
		while (n + add + 1 > cap)
			out = xrealloc(out, cap *= 2);
		memcpy(out + n, s, lit);
		n += lit;
		if (!v)
			break;
		memcpy(out + n, name, strlen(name));
		n += strlen(name);
		s = v + sizeof(var) - 1;
	}
	out[n] = '\0';
	return out;
}
