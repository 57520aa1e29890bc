/*
 * t_fuzz.c - the system-call fuzzer: 100,000 calls the kernel must survive.
 *
 * Each call is drawn from a seeded xorshift32 generator (main's argument
 * is the seed; 0 takes a fixed one, and the seed is printed first, so a
 * failure can be replayed). Most calls are well-formed words with
 * arguments drawn from values that break careless code: 0, 1, -1, sizes
 * at page edges, handles in and out of range, and pointers that are
 * NULL, in the kernel, unmapped, wrapping or straddling the end of user
 * space, next to a buffer of the fuzzer's own. Some are garbage words.
 * Each goes through `int 0x80` or `sysenter` at random.
 *
 * The kernel must answer every call with a value >= 0 or one of abi.h's
 * error codes, and the fuzzer must live to count them: the exit status
 * is the number of answers that were neither. What the fuzzer never asks
 * is what would end it by right, or flood the console: no THREAD_EXIT or
 * TASK_EXIT, no TASK_KILL of itself, no unmapping or protecting of its
 * own image or stack (MEM_UNMAP and MEM_PROTECT aim at a scratch region
 * or outside user space), no waits or sleeps longer than 100 us, no text
 * for DEBUG_WRITE, and no children that print. A new thread's entry is a
 * stub that exits at once without touching its stack. Every child it
 * spawns is kept in children[], whose handles it never closes, so that it
 * can end and collect them all before it ends itself (a child left alive
 * would be an orphan nobody collects: its children never end).
 *
 * The IPC calls (slice 4; without it they answer NO_SYSCALL, which is
 * fine) get messages built here: a head in the fuzzer's own struct or at
 * a bad pointer, lengths and handle counts in and out of range, reserved
 * flags, handles of every kind, and a buffer that is wholly inside
 * fuzz_buf or bad, so a receive can never write over the fuzzer itself.
 * Every IPC wait has a timeout of at most 100 us (never
 * KEEL_TIMEOUT_NEVER): the fuzzer is single-threaded, nobody will answer.
 *
 * The capability calls (slice 5) aim at the same handles, with rights and
 * ranges in and out of what they may be, the fuzzer's memory capability
 * (KEEL_ROOT_MEMORY: the test runner spawns it) for runs of frames, and
 * mappings only in the scratch region or at bad addresses. Revoking or
 * closing its own capabilities is fair: nothing it needs is derived.
 */
#include <utest.h>

#define FUZZ_CALLS    100000u
#define FUZZ_PROGRESS 25000u
#define FUZZ_SEED     0x4b65656cu /* "Keel" */
#define SCRATCH       0x60000000u /* MEM_UNMAP and MEM_PROTECT stay in here */
#define EDGE          0x70000000u /* one page, mapped first, with nothing mapped after it */
#define SCRATCH_PAGES 256u
#define MAX_WAIT_US   100u
#define TRACKED       32u /* handles of children and threads, to aim at */
#define REPORTS       10u /* unknown results printed in full */
#define W(x)          ((uint32_t)(x))

static uint32_t rng;
static uint8_t fuzz_buf[2 * KEEL_PAGE_SIZE] __attribute__((aligned(KEEL_PAGE_SIZE)));
static int32_t tracked[TRACKED];
static int32_t children[TRACKED]; /* every child spawned: ended and collected at the end */
static unsigned nchildren;
static uint32_t counts[1 - KEEL_ERR_MIN]; /* [0]: >= 0; [-e]: error e */
static uint32_t unknown;

/* A thread entry that needs no stack: THREAD_EXIT(0) at once. */
_Static_assert(KEEL_CALL(KEEL_SYS_THREAD_EXIT, 1) == 0x103, "fuzz_thread_exit's call word");
void fuzz_thread_exit(void);
__asm__(".text\n"
        ".globl fuzz_thread_exit\n"
        "fuzz_thread_exit:\n"
        "\tmovl $0x103, %eax\n"
        "\txorl %ebx, %ebx\n"
        "\tint $0x80\n"
        "\tud2\n");

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static uint32_t pick(const uint32_t *v, unsigned n)
{
	return v[rnd() % n];
}
#define PICK(v) pick((v), sizeof(v) / sizeof((v)[0]))

static uint32_t any_int(void)
{
	static const uint32_t v[] = {0,          1,          2,      3,      0x7fffffff,
	                             0x80000000, 0xffffffff, 0xfff,  0x1000, 0x1001,
	                             0xffff,     0x10000,    0xfffe, 16,     100};

	return rnd() % 4 ? PICK(v) : rnd();
}

/* Pointers the kernel must refuse, whatever it would do with them. */
static uint32_t bad_ptr(void)
{
	static const uint32_t v[] = {0,          1,          0xfff,      0x50000000, 0xBFFFFFF0,
	                             0xBFFFFFFC, 0xC0000000, 0xC0100000, 0xFFFFFFF0, 0xFFFFFFFC,
	                             0xFFFFF000, 0xDEADBEEF, 0xBFFF0000};

	return PICK(v);
}

/* Where the kernel may write: the fuzzer's buffer (its edges too) or anything bad. */
static uint32_t dst_ptr(void)
{
	switch (rnd() % 4) {
	case 0:
		return W(fuzz_buf);
	case 1:
		return W(fuzz_buf) + rnd() % (sizeof(fuzz_buf) - 64);
	case 2:
		/* Runs off the end of a mapped page into an unmapped one. (Not
		 * fuzz_buf's end: what follows it in .bss is the fuzzer's own
		 * state, which a write running on would corrupt.) */
		return EDGE + KEEL_PAGE_SIZE - 4;
	default:
		return rnd() % 4 ? bad_ptr() : W(main); /* main: read-only code */
	}
}

static int32_t any_handle(void)
{
	switch (rnd() % 4) {
	case 0:
		return tracked[rnd() % TRACKED];
	case 1:
		return (int32_t)any_int();
	default:
		return (int32_t)(rnd() % 71);
	}
}

static bool is_child(int32_t h)
{
	for (unsigned i = 0; i < nchildren; i++)
		if (children[i] == h)
			return true;
	return false;
}

/* Remember a handle a call gave, to aim later calls at it. */
static void track(int32_t h)
{
	if (h > 0)
		tracked[rnd() % TRACKED] = h;
}

static uint32_t scratch_page(void)
{
	return SCRATCH + (rnd() % SCRATCH_PAGES) * KEEL_PAGE_SIZE;
}

/* An address and size for MEM_UNMAP or MEM_PROTECT that spare the fuzzer. */
static void safe_range(uint32_t *addr, uint32_t *size)
{
	uint32_t room;

	if (rnd() % 4 == 0) {
		*addr = bad_ptr() | 0xC0000000u; /* at or above the kernel's start */
		*size = any_int();
		return;
	}
	*addr = scratch_page() + (rnd() % 8 == 0 ? rnd() % KEEL_PAGE_SIZE : 0);
	room = SCRATCH + SCRATCH_PAGES * KEEL_PAGE_SIZE - *addr;
	*size =
	    rnd() % 8 == 0 ? rnd() % room : (rnd() % (room / KEEL_PAGE_SIZE + 1)) * KEEL_PAGE_SIZE;
}

/* Where MEM_MAP aims: the scratch region, or places it must refuse or
 * that hold nothing the fuzzer uses. Never one of bad_ptr()'s unmapped
 * user addresses: mapped, they would no longer be bad, and DEBUG_WRITE
 * would print what they hold. */
static uint32_t map_addr(void)
{
	static const uint32_t v[] = {0, 0x1000, 0x08048000, 0xC0000000, 0xFFFFF000, SCRATCH + 1};

	return rnd() % 2 ? scratch_page() : PICK(v);
}

static uint32_t map_size(void)
{
	static const uint32_t v[] = {0, 0x1000, 0x2000, 0x1001, 0xFFFFF000, 0x80000000, 0x10000};

	return rnd() % 2 ? (rnd() % 16) * KEEL_PAGE_SIZE : PICK(v);
}

static uint32_t prot(void)
{
	return rnd() % 8 ? rnd() % 4 : any_int();
}

static uint32_t timeout(void)
{
	return rnd() % (MAX_WAIT_US + 1);
}

/* TASK_SPAWN's arguments: names that print nothing when they run, or none. */
static void spawn_args(uint32_t *a)
{
	static const char *const names[] = {"t_sleeper", "no_such_program", "", "T_SLEEPER",
	                                    "t_sleeper/"};
	const char *name = names[rnd() % 5];
	struct keel_spawn *opts = (struct keel_spawn *)fuzz_buf;

	a[0] = rnd() % 8 ? W(name) : bad_ptr();
	a[1] = rnd() % 8 ? strlen(name) : any_int();
	if (rnd() % 2) {
		opts->frame_limit = any_int();
		opts->thread_limit = rnd() % 10;
		opts->arg = rnd();
		opts->flags = rnd() % 4 ? 0 : any_int();
	}
	a[2] = rnd() % 4 == 0 ? 0 : rnd() % 4 == 0 ? bad_ptr() : W(opts);
}

/* DEBUG_WRITE's arguments: nothing readable is ever printed. */
static void debug_write_args(uint32_t *a)
{
	if (rnd() % 4 == 0) {
		a[0] = W(fuzz_buf);
		/* None, or more than a call may write (never a length that prints). */
		a[1] = rnd() % 2 ? 0 : 4097 + rnd() % 0x7fff0000u;
	} else {
		a[0] = bad_ptr();
		a[1] = any_int() | 1;
	}
}

/* CLOCK_READ and the MEM_ calls; false if @nr is not one of them. */
static bool memory_args(unsigned nr, uint32_t *a)
{
	switch (nr) {
	case KEEL_SYS_CLOCK_READ:
		a[0] = dst_ptr();
		return true;
	case KEEL_SYS_MEM_MAP:
		a[0] = map_addr();
		a[1] = map_size();
		a[2] = prot();
		return true;
	case KEEL_SYS_MEM_UNMAP:
		safe_range(&a[0], &a[1]);
		return true;
	case KEEL_SYS_MEM_PROTECT:
		safe_range(&a[0], &a[1]);
		a[2] = prot();
		return true;
	}
	return false;
}

/* The handle calls and the calls without arguments; false for the exits. */
static bool handle_args(unsigned nr, uint32_t *a)
{
	switch (nr) {
	case KEEL_SYS_HANDLE_CLOSE:
		a[0] = W(any_handle());
		return !is_child((int32_t)a[0]); /* it must collect them at the end */
	case KEEL_SYS_HANDLE_QUERY:
	case KEEL_SYS_TASK_INFO:
		a[0] = W(rnd() % 8 == 0 ? KEEL_SELF : any_handle());
		a[1] = dst_ptr();
		return true;
	case KEEL_SYS_NULL:
	case KEEL_SYS_THREAD_YIELD:
		return true;
	}
	return false; /* THREAD_EXIT, TASK_EXIT: they would end the fuzzer */
}

#include "t_fuzz_calls.h"

/* Fill @a for call @nr; returns false for a call the fuzzer must not make. */
static bool call_args(unsigned nr, uint32_t *a)
{
	switch (nr) {
	case KEEL_SYS_DEBUG_WRITE:
		debug_write_args(a);
		break;
	case KEEL_SYS_THREAD_CREATE:
		a[0] = W(fuzz_thread_exit);
		a[1] = rnd() % 2 ? W(fuzz_buf) + sizeof(fuzz_buf) : bad_ptr();
		a[2] = any_int();
		a[3] = rnd() % 2 ? KEEL_PRIO_USER - rnd() % 3 : any_int();
		break;
	case KEEL_SYS_THREAD_SLEEP:
		a[0] = timeout();
		break;
	case KEEL_SYS_TASK_SPAWN:
		if (nchildren == TRACKED)
			return false; /* no room to remember another child */
		spawn_args(a);
		break;
	case KEEL_SYS_TASK_WAIT:
		a[0] = W(any_handle());
		a[1] = dst_ptr();
		a[2] = timeout();
		break;
	case KEEL_SYS_TASK_KILL:
		a[0] = W(any_handle());
		return (a[0] & (KEEL_HANDLES_MAX - 1)) != KEEL_SELF;
	default:
		return memory_args(nr, a) || handle_args(nr, a) || ipc_args(nr, a) ||
		       cap_args(nr, a) || (KEEL_SLICES >= 6 && dev_args(nr, a));
	}
	return true;
}

/* Each call's argument count, by number, from abi.h's list. */
static const uint8_t nargs_of[KEEL_SYS_COUNT] = {
#define FUZZ_NARGS_(name, nr, nargs) [nr] = (nargs),
    KEEL_SYSCALLS(FUZZ_NARGS_)
#undef FUZZ_NARGS_
};

static bool word_is_valid(uint32_t word)
{
	unsigned nr = KEEL_CALL_NR(word);

	return !(word & KEEL_CALL_RESERVED) && nr < KEEL_SYS_COUNT &&
	       KEEL_CALL_NARGS(word) == nargs_of[nr];
}

static uint32_t garbage_word(void)
{
	switch (rnd() % 4) {
	case 0:
		return rnd();
	case 1:
		return KEEL_CALL(rnd() % 256, rnd() % 16);
	case 2:
		return KEEL_CALL(rnd() % KEEL_SYS_COUNT, rnd() % 16);
	default:
		return KEEL_CALL(rnd() % KEEL_SYS_COUNT, rnd() % 5) | 1u << (12 + rnd() % 20);
	}
}

static void record(uint32_t n, uint32_t word, const uint32_t *a, int32_t r)
{
	if (r >= 0) {
		counts[0]++;
	} else if (r >= KEEL_ERR_MIN) {
		counts[-r]++;
	} else if (++unknown <= REPORTS) {
		printf("# FAIL t_fuzz: call %u: word %#x (%x, %x, %x, %x) gave %d, no error code\n",
		       n, word, a[0], a[1], a[2], a[3], r);
	}
}

/*
 * Make call number @n; false if the draw was one the fuzzer must not make.
 * Seven calls in eight are well-formed; the eighth is a garbage word,
 * unless it happens to be well-formed too: then it gets safe arguments.
 */
static bool fuzz_one(uint32_t n)
{
	uint32_t a[4] = {any_int(), any_int(), any_int(), any_int()};
	uint32_t word = rnd() % 8 ? KEEL_CALL(rnd() % KEEL_SYS_COUNT, 0) : garbage_word();
	bool typed = word_is_valid(word) || word < KEEL_SYS_COUNT; /* a number alone: fill it in */
	int32_t r;

	if (typed) {
		if (!call_args(KEEL_CALL_NR(word), a))
			return false;
		word = KEEL_CALL(KEEL_CALL_NR(word), nargs_of[KEEL_CALL_NR(word)]);
	}
	if (rnd() % 2)
		r = keel_syscall_sysenter(word, a[0], a[1], a[2], a[3]);
	else
		r = keel_syscall_int(word, a[0], a[1], a[2], a[3]);
	if (word == KEEL_CALL(KEEL_SYS_TASK_SPAWN, 3) ||
	    word == KEEL_CALL(KEEL_SYS_THREAD_CREATE, 4) ||
	    word == KEEL_CALL(KEEL_SYS_ENDPOINT_CREATE, 1) ||
	    word == KEEL_CALL(KEEL_SYS_NOTIFY_CREATE, 0) ||
	    word == KEEL_CALL(KEEL_SYS_CHANNEL_CREATE, 3) ||
	    word == KEEL_CALL(KEEL_SYS_CAP_DERIVE, 3) ||
	    word == KEEL_CALL(KEEL_SYS_FRAMES_ALLOC, 2))
		track(r);
	if (word == KEEL_CALL(KEEL_SYS_TASK_SPAWN, 3) && r > 0)
		children[nchildren++] = r;
	record(n, word, a, r);
	return true;
}

/* End and collect every child (some may have been killed and collected
 * already: those calls fail, which does not matter), then close what is
 * still tracked. */
static void fuzz_cleanup(void)
{
	int status;

	for (unsigned i = 0; i < nchildren; i++) {
		keel_task_kill(children[i]);
		keel_task_wait(children[i], &status, 1000000);
		keel_handle_close(children[i]);
	}
	for (unsigned i = 0; i < TRACKED; i++)
		if (tracked[i] > 0)
			keel_handle_close(tracked[i]);
}

static void fuzz_summary(void)
{
	printf("# fuzz: %u calls; results:\n", FUZZ_CALLS);
	for (int e = 0; e >= KEEL_ERR_MIN; e--)
		if (counts[-e])
			printf("#   %-16s %u\n", e == 0 ? ">= 0" : keel_errname(e), counts[-e]);
	printf("#   %-16s %u\n", "not a code", unknown);
}

int main(uint32_t seed)
{
	rng = seed ? seed : FUZZ_SEED;
	printf("# fuzz seed %u\n", rng);
	if (keel_mem_map((void *)EDGE, KEEL_PAGE_SIZE, KEEL_PROT_WRITE) != 0)
		return 1000;
	for (uint32_t n = 0; n < FUZZ_CALLS;) {
		if (!fuzz_one(n))
			continue;
		if (++n % FUZZ_PROGRESS == 0)
			printf("# fuzz: %u calls\n", n);
	}
	fuzz_cleanup();
	fuzz_summary();
	return (int)unknown;
}
