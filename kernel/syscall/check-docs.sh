#!/bin/sh
# Unit test: docs/syscalls.md is exactly what gen-table.awk makes of the syscall table and
# Linux's syscall numbers. Run from anywhere; prints PASS/FAIL lines, exits non-zero on failure.
top=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
cd "$top" || exit 1
unistd=/usr/include/$(cc -print-multiarch)/asm/unistd_64.h
if ! want=$(awk -v out=md -f kernel/syscall/gen-table.awk "$unistd" kernel/syscall/syscalls.tbl); then
	echo "FAIL syscalls.table_generates: gen-table.awk rejected kernel/syscall/syscalls.tbl"
	exit 1
fi
echo "PASS syscalls.table_generates"
if [ "$want" = "$(cat docs/syscalls.md)" ]; then
	echo "PASS syscalls.docs_current"
else
	echo "FAIL syscalls.docs_current: docs/syscalls.md is stale; run make docs"
	exit 1
fi
