/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * A circular doubly-linked list: the provider's queues (posted receives,
 * unexpected messages, sends waiting for a retry or a rendezvous) are all
 * FIFOs whose entries may also leave from the middle (cancel, match).
 */
#ifndef BULK_FI_LIST_H
#define BULK_FI_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct bf_list {
	struct bf_list *next, *prev;
};

static inline void bf_list_init(struct bf_list *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool bf_list_empty(const struct bf_list *head)
{
	return head->next == head;
}

static inline void bf_list_add_tail(struct bf_list *head, struct bf_list *e)
{
	e->prev = head->prev;
	e->next = head;
	head->prev->next = e;
	head->prev = e;
}

static inline void bf_list_del(struct bf_list *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = e;
	e->prev = e;
}

#define bf_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define bf_list_for_each_safe(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif /* BULK_FI_LIST_H */
