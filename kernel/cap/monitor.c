/*
 * monitor.c - the monitor's view of capabilities: `caps`, `captree`, `capgraph`.
 *
 * `caps TASK` lists every capability task TASK (its id, as `tasks`
 * prints it) holds: its slot and handle, the object's type, the rights as
 * letters (r read, w write, W wait, k kill, S send, R receive, G grant,
 * D derive, M map; '-' for one missing), its depth in its derivation
 * tree, what it was derived from (TASK:SLOT, or "original"), how many
 * capabilities were derived from it, directly or not, and the object; a
 * frames capability also shows the pages of the run it names and where
 * it is mapped.
 *
 * `captree TASK HANDLE` shows the derivation tree the capability HANDLE
 * of task TASK is in (HANDLE as `caps` prints it, 0x... or decimal), from
 * its original down, in derivation order, indented by depth: each line
 * names the holder (TASK:SLOT and program), the rights and the handle
 * the holder knows it by; "<-" marks the capability asked about.
 *
 * `capgraph` prints every capability of every task as lines a script
 * reads (scripts/capgraph draws them), between "capgraph begin" and
 * "capgraph end: ..." lines:
 *   task ID NAME                          a task that exists
 *   object TYPE:ID [pages N]              an object some task holds
 *   cap TASK:SLOT TYPE:ID RIGHTS depth D [pages A-B mapped VA|-]
 *   derive TASK:SLOT TASK:SLOT            the second was derived from the first
 *   missed N                              capabilities left out (too many)
 * An object's key is its type and id as `caps` names it (task:256,
 * thread:00000102, endpoint:0x100, memory:0x1, frames:0x100).
 *
 * As `ipc` does, each command copies what it shows into rows under
 * sched_lock, so the picture is one moment's, and prints after; at most
 * CAP_ROWS_MAX capabilities, and it says how many it left out.
 * scripts/gdb/keel_cap.py (`keel caps`, `keel captree`) prints the same
 * lines from GDB.
 */
#include <keel/kprintf.h>
#include <keel/monitor.h>
#include <keel/sched.h>
#include <keel/string.h>

#include "cap_internal.h"

/* The most capabilities one command shows. */
#define CAP_ROWS_MAX 512

/* A capability, as the commands show it. */
struct cap_row {
	uint32_t task, handle, object, badge, derived, mapped;
	uint32_t parent_task; /* 0: none (an original) */
	uint16_t slot, parent_slot, type, rights, depth;
	uint16_t run_pages; /* frames: pages in the whole run; 0 if it is gone */
	bool asked;         /* captree: the one asked about */
};

struct task_row {
	uint32_t id, used, size;
	char name[TASK_NAME_MAX];
};

static struct snapshot {
	struct cap_row caps[CAP_ROWS_MAX];
	struct task_row tasks[TASK_MAX];
	unsigned ncaps, ntasks, missed;
} snap;

static const char *const type_names[] = {"none",         "task",    "thread", "endpoint",
                                         "notification", "channel", "memory", "frames",
                                         "archive",      "irq",     "ioport", "device"};
_Static_assert(sizeof type_names / sizeof type_names[0] == KEEL_OBJ_LAST + 1,
               "a name for every type of abi.h");

/* [cap_row_of] */
/* What slot @p s shows; sched_lock held. */
static struct cap_row row_of(const struct handle_slot *s)
{
	const struct handle_slot *parent = cap_parent(s);
	const struct frames *f = s->type == KEEL_OBJ_FRAMES ? frames_lookup(s->object) : NULL;
	struct cap_row r = {.task = cap_holder(s)->id,
	                    .handle = (uint32_t)handle_of(s->table, handle_index(s)),
	                    .object = s->object,
	                    .badge = s->badge,
	                    .derived = cap_derived_count(s),
	                    .mapped = s->mapped,
	                    .slot = (uint16_t)handle_index(s),
	                    .type = s->type,
	                    .rights = s->rights,
	                    .depth = s->depth,
	                    .run_pages = f ? (uint16_t)(1u << f->order) : 0};

	if (parent != NULL) {
		r.parent_task = cap_holder(parent)->id;
		r.parent_slot = (uint16_t)handle_index(parent);
	}
	return r;
}
/* [cap_row_of] */

static void add_row(const struct handle_slot *s, bool asked)
{
	if (snap.ncaps == CAP_ROWS_MAX) {
		snap.missed++;
		return;
	}
	snap.caps[snap.ncaps] = row_of(s);
	snap.caps[snap.ncaps++].asked = asked;
}

/* Start a snapshot: every task that exists; sched_lock held. */
static void snap_tasks(void)
{
	snap.ncaps = snap.ntasks = snap.missed = 0;
	for (unsigned i = 0; i < TASK_MAX; i++) {
		const struct task *t = task_slot(i);
		if (t->state == TASK_FREE)
			continue;
		struct task_row *row = &snap.tasks[snap.ntasks++];
		*row = (struct task_row){t->id, t->handles.used, t->handles.size, ""};
		memcpy(row->name, t->name, sizeof(row->name));
	}
}

/* Every capability of @p t, in slot order; sched_lock held. */
static void snap_caps(const struct task *t)
{
	for (unsigned i = 0; i < t->handles.size; i++)
		if (t->handles.slot[i].type != KEEL_OBJ_NONE)
			add_row(&t->handles.slot[i], false);
}

/* [cap_snap_tree] */
/* The tree @p asked is in: its original is the first of its derivation
 * order, and the order is the tree in pre-order; sched_lock held. */
static void snap_tree(const struct handle_slot *asked)
{
	const struct handle_slot *c = asked;

	while (c->prev != NULL)
		c = c->prev;
	for (; c != NULL; c = c->next)
		add_row(c, c == asked);
}
/* [cap_snap_tree] */

static const struct task_row *task_row(uint32_t id)
{
	for (unsigned i = 0; i < snap.ntasks; i++)
		if (snap.tasks[i].id == id)
			return &snap.tasks[i];
	return NULL;
}

static const char *task_name(uint32_t id)
{
	const struct task_row *t = task_row(id);

	return t ? t->name : "(gone)";
}

static const char *type_name(unsigned type)
{
	return type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[type] : "?";
}

/* The rights as letters in fixed places, '-' for each one missing. */
_Static_assert(KEEL_RIGHT_ALL == (1u << 9) - 1, "rights_text() has a letter for each right");
static const char *rights_text(unsigned rights, char out[10])
{
	static const char letters[] = "rwWkSRGDM";

	for (unsigned i = 0; i < 9; i++)
		out[i] = rights & (1u << i) ? letters[i] : '-';
	out[9] = '\0';
	return out;
}

/* The object's id as its type writes it: a task's in decimal, a thread's
 * as `threads` does, any other in hex. */
static const char *object_id(const struct cap_row *r, char *buf, size_t size)
{
	if (r->type == KEEL_OBJ_TASK)
		ksnprintf(buf, size, "%u", r->object);
	else if (r->type == KEEL_OBJ_THREAD)
		ksnprintf(buf, size, "%08x", r->object);
	else
		ksnprintf(buf, size, "0x%x", r->object);
	return buf;
}

/* "TASK:SLOT" of the capability @p task holds in @p slot. */
static const char *place(uint32_t task, unsigned slot, char buf[24])
{
	ksnprintf(buf, 24, "%u:%u", task, slot);
	return buf;
}

/* A frames capability's part of its run and mapping: "pages 0-3 of 4,
 * mapped at 0x40000000" (@p whole) or "pages 0-3, not mapped". */
static void print_range(const struct cap_row *r, bool whole)
{
	uint32_t first = r->badge >> 16, pages = r->badge & 0xffffu;

	kprintf(" pages %u-%u", first, first + pages - 1);
	if (whole)
		kprintf(" of %u", r->run_pages);
	if (r->mapped != 0)
		kprintf(", mapped at 0x%x", r->mapped);
	else
		kprintf(", not mapped");
}

/* The object column of `caps`. */
static void print_object(const struct cap_row *r)
{
	char id[16];

	kprintf("%s %s", type_name(r->type), object_id(r, id, sizeof(id)));
	if (r->type == KEEL_OBJ_TASK)
		kprintf(" %s", task_name(r->object));
	else if (r->type == KEEL_OBJ_FRAMES)
		print_range(r, true);
}

static void print_missed(void)
{
	if (snap.missed != 0)
		kprintf("(%u more not shown: the monitor copies at most %u)\n", snap.missed,
		        CAP_ROWS_MAX);
}

static void print_cap(const struct cap_row *r)
{
	char handle[16], rights[10], parent[24];

	ksnprintf(handle, sizeof(handle), "0x%x", r->handle);
	if (r->parent_task != 0)
		place(r->parent_task, r->parent_slot, parent);
	else
		strlcpy(parent, r->depth == 0 ? "original" : "?", sizeof(parent));
	kprintf("%4u %-8s %-12s %s %5u %-10s %7u ", r->slot, handle, type_name(r->type),
	        rights_text(r->rights, rights), r->depth, parent, r->derived);
	print_object(r);
	kprintf("\n");
}

/* A decimal number, or hex after 0x; false if @p s is neither or too large. */
static bool parse_number(const char *s, uint32_t *out)
{
	unsigned base = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
	uint32_t v = 0;

	s += base == 16 ? 2 : 0;
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned d = *s >= '0' && *s <= '9'   ? (unsigned)(*s - '0')
		             : *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10)
		             : *s >= 'A' && *s <= 'F' ? (unsigned)(*s - 'A' + 10)
		                                      : 16;
		if (d >= base || v > (UINT32_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

/* The task @p word names, or NULL after saying why; sched_lock held. */
static struct task *task_arg(const char *cmd, const char *word)
{
	uint32_t id;
	struct task *t;

	if (!parse_number(word, &id)) {
		kprintf("%s: '%s' is not a task id (see `tasks`)\n", cmd, word);
		return NULL;
	}
	if ((t = task_lookup(id)) == NULL)
		kprintf("%s: no task %u (see `tasks`)\n", cmd, id);
	return t;
}

static int cmd_caps(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 1, 1))
		return -1;
	spinflags_t flags = spin_lock(&sched_lock);
	struct task *t = task_arg(argv[0], argv[1]);
	if (t != NULL) {
		snap_tasks();
		snap_caps(t);
	}
	uint32_t id = t ? t->id : 0;
	spin_unlock(&sched_lock, flags);
	if (t == NULL)
		return -1;
	const struct task_row *row = task_row(id);
	kprintf("capabilities of task %u %s: %u of %u slots used\n", id, row->name, row->used,
	        row->size);
	kprintf("SLOT HANDLE   TYPE         RIGHTS    DEPTH PARENT     DERIVED OBJECT\n");
	for (unsigned i = 0; i < snap.ncaps; i++)
		print_cap(&snap.caps[i]);
	print_missed();
	return 0;
}
MONITOR_COMMAND("caps", "TASK", "every capability task TASK holds", cmd_caps);

/* The slot of @p t that handle @p word names, or NULL after saying why;
 * sched_lock held. */
static const struct handle_slot *handle_arg(struct task *t, const char *word)
{
	uint32_t h;
	const struct handle_slot *s = NULL;
	kstatus_t st = KEEL_ERR_BAD_HANDLE;

	if (!parse_number(word, &h) || h > INT32_MAX) {
		kprintf("captree: '%s' is not a handle (see `caps %u`)\n", word, t->id);
		return NULL;
	}
	st = handle_get(&t->handles, (keel_handle_t)h, KEEL_OBJ_NONE, 0, &s);
	if (st != KEEL_OK)
		kprintf("captree: task %u has no capability 0x%x: %s\n", t->id, h,
		        kstatus_meaning(st));
	return st == KEEL_OK ? s : NULL;
}

static void print_tree_line(const struct cap_row *r)
{
	char at[24], rights[10];

	kprintf("%*s%s %s %s handle 0x%x", 2 + 2 * r->depth, "", place(r->task, r->slot, at),
	        task_name(r->task), rights_text(r->rights, rights), r->handle);
	if (r->type == KEEL_OBJ_FRAMES)
		print_range(r, false);
	kprintf("%s\n", r->asked ? " <-" : "");
}

static int cmd_captree(int argc, char **argv)
{
	char id[16];

	if (!monitor_check_args(argc, argv, 2, 2))
		return -1;
	spinflags_t flags = spin_lock(&sched_lock);
	struct task *t = task_arg(argv[0], argv[1]);
	const struct handle_slot *s = t ? handle_arg(t, argv[2]) : NULL;
	if (s != NULL) {
		snap_tasks();
		snap_tree(s);
	}
	spin_unlock(&sched_lock, flags);
	if (s == NULL)
		return -1;
	const struct cap_row *root = &snap.caps[0];
	unsigned n = snap.ncaps + snap.missed;
	kprintf("derivation tree of %s %s: %u %s\n", type_name(root->type),
	        object_id(root, id, sizeof(id)), n, n == 1 ? "capability" : "capabilities");
	for (unsigned i = 0; i < snap.ncaps; i++)
		print_tree_line(&snap.caps[i]);
	print_missed();
	return 0;
}
MONITOR_COMMAND("captree", "TASK HANDLE", "the derivation tree of a capability", cmd_captree);

/* Is row @p i the first with its object? */
static bool first_of_object(unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (snap.caps[j].type == snap.caps[i].type &&
		    snap.caps[j].object == snap.caps[i].object)
			return false;
	return true;
}

/* The objects the capabilities name, once each; how many. */
static unsigned print_graph_objects(void)
{
	unsigned n = 0;
	char id[16];

	for (unsigned i = 0; i < snap.ncaps; i++) {
		const struct cap_row *r = &snap.caps[i];
		if (!first_of_object(i))
			continue;
		kprintf("object %s:%s", type_name(r->type), object_id(r, id, sizeof(id)));
		if (r->type == KEEL_OBJ_FRAMES)
			kprintf(" pages %u", r->run_pages);
		kprintf("\n");
		n++;
	}
	return n;
}

static void print_graph_cap(const struct cap_row *r)
{
	char at[24], id[16], rights[10];
	uint32_t first = r->badge >> 16;

	kprintf("cap %s %s:%s %s depth %u", place(r->task, r->slot, at), type_name(r->type),
	        object_id(r, id, sizeof(id)), rights_text(r->rights, rights), r->depth);
	if (r->type == KEEL_OBJ_FRAMES && r->mapped != 0)
		kprintf(" pages %u-%u mapped 0x%x", first, first + (r->badge & 0xffffu) - 1,
		        r->mapped);
	else if (r->type == KEEL_OBJ_FRAMES)
		kprintf(" pages %u-%u mapped -", first, first + (r->badge & 0xffffu) - 1);
	kprintf("\n");
}

/* The derivation edges, parent first; how many. */
static unsigned print_graph_derivations(void)
{
	unsigned n = 0;
	char from[24], to[24];

	for (unsigned i = 0; i < snap.ncaps; i++) {
		const struct cap_row *r = &snap.caps[i];
		if (r->parent_task == 0)
			continue;
		kprintf("derive %s %s\n", place(r->parent_task, r->parent_slot, from),
		        place(r->task, r->slot, to));
		n++;
	}
	return n;
}

/* [cmd_capgraph] */
static int cmd_capgraph(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	spinflags_t flags = spin_lock(&sched_lock);
	snap_tasks();
	for (unsigned i = 0; i < TASK_MAX; i++)
		if (task_slot(i)->state != TASK_FREE)
			snap_caps(task_slot(i));
	spin_unlock(&sched_lock, flags);
	kprintf("capgraph begin\n");
	for (unsigned i = 0; i < snap.ntasks; i++)
		kprintf("task %u %s\n", snap.tasks[i].id, snap.tasks[i].name);
	unsigned objects = print_graph_objects();
	for (unsigned i = 0; i < snap.ncaps; i++)
		print_graph_cap(&snap.caps[i]);
	unsigned derivations = print_graph_derivations();
	if (snap.missed != 0)
		kprintf("missed %u\n", snap.missed);
	kprintf("capgraph end: %u tasks, %u objects, %u capabilities, %u derivations\n",
	        snap.ntasks, objects, snap.ncaps, derivations);
	return 0;
}
MONITOR_COMMAND("capgraph", "", "every capability, as lines for scripts/capgraph", cmd_capgraph);
/* [cmd_capgraph] */
