/* The shared libraries of the closure test (monos.mk builds it many ways): FN returns
 * WHICH, or what CALL -- a function of a dependency -- returns, so a program that prints
 * which() shows which copy of a library the real ld.so picked. */
const char *FN(void);

#ifdef CALL
const char *CALL(void);
#endif

const char *FN(void)
{
#ifdef CALL
	return CALL();
#else
	return WHICH;
#endif
}
