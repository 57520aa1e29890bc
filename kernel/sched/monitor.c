/*
 * monitor.c - the monitor's view of threads, the scheduler and time.
 *
 * `threads` prints every thread that exists: its id, state, priority,
 * CPU time and the slices it has started. The snapshot is taken with
 * interrupts off, so it is consistent; the printing happens after.
 * `uptime` prints the clock, the tick count and the clock sources.
 */
#include <keel/arch.h>
#include <keel/irq.h>
#include <keel/kprintf.h>
#include <keel/kstack.h>
#include <keel/monitor.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/timer.h>

struct thread_row {
	tid_t tid;
	char name[THREAD_NAME_MAX];
	enum thread_state state;
	uint8_t prio;
	uint64_t cpu_us, slices;
};

static unsigned snapshot(struct thread_row *rows, struct thread **current)
{
	unsigned n = 0;
	spinflags_t flags = spin_lock(&sched_lock);

	for (unsigned i = 0; i < THREAD_MAX; i++) {
		const struct thread *t = thread_slot(i);
		if (t->state == THREAD_FREE)
			continue;
		rows[n] = (struct thread_row){
		    t->tid, "", t->state, t->prio, arch_ticks_to_us(t->cpu_ticks), t->slices};
		memcpy(rows[n].name, t->name, sizeof(rows[n].name));
		n++;
	}
	*current = thread_current();
	spin_unlock(&sched_lock, flags);
	return n;
}

static int cmd_threads(int argc, char **argv)
{
	static struct thread_row rows[THREAD_MAX];
	struct thread *current;

	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	unsigned n = snapshot(rows, &current);
	kprintf("  %-8s %-15s %-8s %4s %12s %8s\n", "TID", "NAME", "STATE", "PRIO", "CPU (us)",
	        "SLICES");
	for (unsigned i = 0; i < n; i++)
		kprintf("%c %08x %-15s %-8s %4u %12llu %8llu\n",
		        rows[i].tid == current->tid ? '*' : ' ', rows[i].tid, rows[i].name,
		        thread_state_name(rows[i].state), rows[i].prio,
		        (unsigned long long)rows[i].cpu_us, (unsigned long long)rows[i].slices);
	kprintf("%u of %u threads; %llu context switches\n", n, THREAD_MAX,
	        (unsigned long long)cpu_self()->switches);
	kprintf("stacks: %s, %u bytes each\n", kstack_source_name(), THREAD_STACK_SIZE);
	return 0;
}
MONITOR_COMMAND("threads", "", "every thread: id, state, priority, CPU time", cmd_threads);

static int cmd_uptime(int argc, char **argv)
{
	if (!monitor_check_args(argc, argv, 0, 0))
		return -1;
	uint64_t us = timer_read_us();
	kprintf("up %llu.%06llu s, %llu ticks at %u Hz\n", (unsigned long long)(us / 1000000),
	        (unsigned long long)(us % 1000000), (unsigned long long)timer_ticks(), TIMER_HZ);
	arch_time_describe();
	return 0;
}
MONITOR_COMMAND("uptime", "", "time since boot, ticks, and the clock sources", cmd_uptime);
