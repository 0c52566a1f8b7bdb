/* The programs of the closure test: prints what the library it was linked with says. */
#include <stdio.h>

const char *which(void);

int main(void)
{
	puts(which());
	return 0;
}
