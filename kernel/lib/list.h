/* Intrusive doubly linked lists: a node lives inside the object it links, so putting an object
 * on a list never allocates (wait queues and run queues must not fail). An empty head and an
 * unlinked node both point at themselves. */
#pragma once
#include "types.h"

struct list {
	struct list *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }
#define list_entry(node, type, member) ((type *)((char *)(node) - __builtin_offsetof(type, member)))
#define list_for_each(pos, head) for (struct list *pos = (head)->next; pos != (head); pos = pos->next)
/* Safe against removing pos inside the loop. */
#define list_for_each_safe(pos, head) \
	for (struct list *pos = (head)->next, *pos##_next = pos->next; pos != (head); \
	     pos = pos##_next, pos##_next = pos->next)

static inline void list_init(struct list *l) { l->next = l->prev = l; }
static inline bool list_empty(const struct list *l) { return l->next == l; }
static inline bool list_linked(const struct list *n) { return n->next != n; }

static inline void list_insert_before(struct list *at, struct list *n)
{
	n->next = at;
	n->prev = at->prev;
	at->prev->next = n;
	at->prev = n;
}

static inline void list_push_back(struct list *head, struct list *n) { list_insert_before(head, n); }
static inline void list_push_front(struct list *head, struct list *n) { list_insert_before(head->next, n); }

static inline void list_remove(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

static inline struct list *list_pop_front(struct list *head)
{
	if (list_empty(head))
		return NULL;
	struct list *n = head->next;
	list_remove(n);
	return n;
}
