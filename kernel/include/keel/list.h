/**
 * @file list.h
 * @brief Intrusive doubly linked lists: O(1) insert and remove, no allocation.
 *
 * A struct that can be on a list embeds a `struct list` node; the list
 * itself is a `struct list` head, circular, pointing at itself when
 * empty. list_entry() turns a node back into its containing struct.
 * Every operation is O(1), which is why the scheduler's run queues and
 * wait queues are built from these.
 */
#ifndef KEEL_LIST_H
#define KEEL_LIST_H

#include <stdbool.h>
#include <stddef.h>

/** @brief A list head or a node in a list. */
struct list {
	struct list *prev; /**< Previous node (the head's prev is the tail). */
	struct list *next; /**< Next node (the head's next is the first). */
};

/** @brief The struct of type @p type that embeds node @p ptr as @p member. */
#define list_entry(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/** @brief Make @p l an empty list (or a node on no list). */
static inline void list_init(struct list *l)
{
	l->prev = l->next = l;
}

/** @brief True if @p l has no nodes (or, for a node, is on no list). */
static inline bool list_empty(const struct list *l)
{
	return l->next == l;
}

/** @brief Add @p node at the tail of @p head. @p node must be on no list. */
static inline void list_push_tail(struct list *head, struct list *node)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

/** @brief Add @p node at the head of @p head. @p node must be on no list. */
static inline void list_push_head(struct list *head, struct list *node)
{
	list_push_tail(head->next, node);
}

/** @brief Remove @p node from its list and leave it on none. */
static inline void list_remove(struct list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

/** @brief The first node of @p head, or NULL if it is empty. */
static inline struct list *list_first(const struct list *head)
{
	return list_empty(head) ? NULL : head->next;
}

#endif
