/* A do-nothing program, linked static and static-PIE by tools/monos/monos.mk so the ELF
 * unit test has known executables to inspect. */
int main(void)
{
	return 0;
}
