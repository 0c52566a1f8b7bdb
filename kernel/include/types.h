/* Fixed-width types and the few address types the kernel uses everywhere.
 * User pointers are a distinct type (uptr_t) so a kernel dereference of user memory stands out:
 * only copy_from_user/copy_to_user in mm/usercopy.c turn one into memory. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef long ssize_t;

typedef u64 paddr_t;  /* physical address */
typedef u64 vaddr_t;  /* kernel or user virtual address, as a number */
typedef u64 uptr_t;   /* a pointer into the app's address space: never dereference */

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGN_DOWN(x) ((x) & PAGE_MASK)
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a) - 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __noreturn __attribute__((noreturn))
#define __packed __attribute__((packed))
#define __maybe_unused __attribute__((unused))
#define __aligned(n) __attribute__((aligned(n)))

/* The direct map: all physical memory at this offset (Linux's choice, PML4 slot 273). */
#define PHYS_MAP_BASE 0xffff888000000000UL
/* The kernel image: linked at -2 GiB, loaded at 1 MiB physical. */
#define KERNEL_VMA 0xffffffff80000000UL

static inline void *phys_to_virt(paddr_t p) { return (void *)(p + PHYS_MAP_BASE); }
static inline paddr_t virt_to_phys(const void *v)
{
	vaddr_t a = (vaddr_t)v;
	return a >= KERNEL_VMA ? a - KERNEL_VMA : a - PHYS_MAP_BASE;
}

/* User space: the lower canonical half, less the top page (as Linux's TASK_SIZE). */
#define USER_TOP 0x00007ffffffff000UL
