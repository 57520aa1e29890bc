/*
 * monitor.c - the monitor's view of user mode: `tasks`, `kill N`, `bootfs`.
 *
 * `tasks` lists every task that exists: its id, state, program, threads,
 * frames against its limit, and handles in use. `kill N` ends task N as
 * TASK_KILL would (its parent sees KEEL_KILLED_STATUS). `bootfs` lists the
 * programs of the boot archive.
 */
#include <keel/bootfs.h>
#include <keel/kprintf.h>
#include <keel/monitor.h>
#include <keel/sched.h>
#include <keel/syscall.h>
#include <keel/task.h>

static void print_task(const struct task *t)
{
	kprintf("%5u %-8s %-15s %7u/%-2u %6u/%-6u %4u %6s\n", t->id, task_state_name(t->state),
	        t->name, t->threads, t->thread_limit, task_frames(t), t->frame_limit,
	        t->handles.used,
	        t->parent   ? t->parent->name
	        : t->orphan ? "(none)"
	                    : "kernel");
}

static int cmd_tasks(int argc, char **argv)
{
	unsigned n = 0;

	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	kprintf("%5s %-8s %-15s %10s %13s %4s %6s\n", "ID", "STATE", "PROGRAM", "THREADS", "FRAMES",
	        "HNDL", "PARENT");
	spinflags_t flags = spin_lock(&sched_lock);
	for (unsigned i = 0; i < TASK_MAX; i++) {
		const struct task *t = task_slot(i);
		if (t->state != TASK_FREE) {
			print_task(t);
			n++;
		}
	}
	spin_unlock(&sched_lock, flags);
	kprintf("%u of %u tasks; %llu system calls\n", n, TASK_MAX,
	        (unsigned long long)syscall_count);
	return 0;
}
MONITOR_COMMAND("tasks", "", "every task: state, threads, frames, handles", cmd_tasks);

/* A decimal number, or false. */
static bool parse_decimal(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT32_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	*out = v;
	return true;
}

static int cmd_kill(int argc, char **argv)
{
	uint32_t id;

	if (!monitor_check_args(argc, argv, 1, 1))
		return -1;
	if (!parse_decimal(argv[1], &id)) {
		kprintf("kill: '%s' is not a task id (see `tasks`)\n", argv[1]);
		return -1;
	}
	spinflags_t flags = spin_lock(&sched_lock);
	struct task *t = task_lookup(id);
	spin_unlock(&sched_lock, flags);
	kstatus_t s = t ? task_kill(t, KEEL_KILLED_STATUS) : KEEL_ERR_NOT_FOUND;
	if (s != KEEL_OK) {
		kprintf("kill: task %u: %s\n", id, kstatus_meaning(s));
		return -1;
	}
	kprintf("task %u '%s' is being killed\n", id, t->name);
	return 0;
}
MONITOR_COMMAND("kill", "N", "end task N (its parent sees it killed)", cmd_kill);

static int cmd_bootfs(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	bootfs_print();
	return 0;
}
MONITOR_COMMAND("bootfs", "", "the programs in the boot archive", cmd_bootfs);
