/*
 * thread.c - in-kernel tests of the thread life cycle and its errors.
 *
 * The tests run in the boot thread "main" (priority PRIO_MAIN). Threads
 * they create at a lower priority run only when main blocks (joins or
 * sleeps); at a higher priority they run at once, preempting main.
 */
#include <keel/ktest.h>
#include <keel/sched.h>
#include <keel/timer.h>

static void return_arg(void *arg)
{
	thread_exit((int)(uintptr_t)arg);
}

static void do_nothing(void *arg)
{
	(void)arg;
}

KTEST(thread, create_and_join_returns_exit_code)
{
	tid_t tid;
	int code = 0;

	KT_ASSERT_EQ(thread_create("exit42", return_arg, (void *)42, 10, &tid), KEEL_OK);
	KT_EXPECT_EQ(thread_join(tid, &code, TIMEOUT_NEVER), KEEL_OK);
	KT_EXPECT_EQ(code, 42);
}

KTEST(thread, returning_from_fn_exits_with_zero)
{
	tid_t tid;
	int code = -1;

	KT_ASSERT_EQ(thread_create("returns", do_nothing, 0, 10, &tid), KEEL_OK);
	KT_EXPECT_EQ(thread_join(tid, &code, TIMEOUT_NEVER), KEEL_OK);
	KT_EXPECT_EQ(code, 0);
}

KTEST(thread, rejects_bad_arguments)
{
	tid_t tid = 0;

	KT_EXPECT_EQ(thread_create("bad", do_nothing, 0, PRIO_MAX + 1, &tid), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(thread_create("bad", do_nothing, 0, 100000, &tid), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(thread_create("bad", 0, 0, 10, &tid), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(tid, 0);
}

KTEST(thread, join_errors)
{
	tid_t tid;

	KT_EXPECT_EQ(thread_join(0, 0, TIMEOUT_NEVER), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(thread_join(0x7777705, 0, TIMEOUT_NEVER), KEEL_ERR_NOT_FOUND);
	KT_EXPECT_EQ(thread_join(thread_current()->tid, 0, TIMEOUT_NEVER), KEEL_ERR_INVALID);
	KT_EXPECT_EQ(thread_join(cpu_self()->idle->tid, 0, TIMEOUT_NEVER), KEEL_ERR_INVALID);
	/* Joining twice: the first join frees the slot, the second finds nothing. */
	KT_ASSERT_EQ(thread_create("once", do_nothing, 0, 10, &tid), KEEL_OK);
	KT_EXPECT_EQ(thread_join(tid, 0, TIMEOUT_NEVER), KEEL_OK);
	KT_EXPECT_EQ(thread_join(tid, 0, TIMEOUT_NEVER), KEEL_ERR_NOT_FOUND);
}

static void sleep_5ms(void *arg)
{
	(void)arg;
	thread_sleep_us(5000);
}

static tid_t join_target;
static kstatus_t second_join;

static void join_other(void *arg)
{
	(void)arg;
	second_join = thread_join(join_target, 0, TIMEOUT_NEVER);
}

KTEST(thread, join_timeout_and_busy)
{
	tid_t helper;

	KT_ASSERT_EQ(thread_create("sleeper", sleep_5ms, 0, 10, &join_target), KEEL_OK);
	/* Nothing exits within 100 us: the join times out and can be retried. */
	KT_EXPECT_EQ(thread_join(join_target, 0, 100), KEEL_ERR_TIMED_OUT);
	/* While a higher thread joins it, a second joiner is refused. */
	second_join = KEEL_OK;
	KT_ASSERT_EQ(thread_create("joiner", join_other, 0, PRIO_MAIN + 1, &helper), KEEL_OK);
	KT_EXPECT_EQ(thread_join(join_target, 0, TIMEOUT_NEVER), KEEL_ERR_BUSY);
	KT_EXPECT_EQ(thread_join(helper, 0, TIMEOUT_NEVER), KEEL_OK);
	KT_EXPECT_EQ(second_join, KEEL_OK);
}

KTEST(thread, pool_exhaustion_then_recovery)
{
	static tid_t tids[THREAD_MAX];
	unsigned made = 0;
	kstatus_t s = KEEL_OK;

	while (made < THREAD_MAX &&
	       (s = thread_create("filler", do_nothing, 0, 1, &tids[made])) == KEEL_OK)
		made++;
	KT_EXPECT_EQ(s, KEEL_ERR_NO_MEMORY);
	KT_EXPECT_EQ(thread_count(), THREAD_MAX);
	for (unsigned i = 0; i < made; i++)
		KT_EXPECT_EQ(thread_join(tids[i], 0, TIMEOUT_NEVER), KEEL_OK);
	/* Every slot came back: a new thread can be made, with a fresh id. */
	tid_t again;
	KT_EXPECT_EQ(thread_create("again", do_nothing, 0, 1, &again), KEEL_OK);
	KT_EXPECT(again != tids[0]);
	KT_EXPECT(thread_lookup(tids[0]) == 0);
	KT_EXPECT_EQ(thread_join(again, 0, TIMEOUT_NEVER), KEEL_OK);
}

KTEST(thread, states_are_named)
{
	KT_EXPECT_STREQ(thread_state_name(THREAD_READY), "READY");
	KT_EXPECT_STREQ(thread_state_name(THREAD_DEAD), "DEAD");
	KT_EXPECT_STREQ(thread_state_name((enum thread_state)99), "?");
	KT_EXPECT_EQ(thread_current()->state, THREAD_RUNNING);
}
