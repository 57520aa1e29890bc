/*
 * context.c - in-kernel tests of the context switch on its own.
 *
 * No thread and no scheduler: each test builds stacks of its own with
 * arch_context_init(), switches to them with arch_context_switch() and
 * back, interrupts off, and checks what arrived. So lab 1's grader scores
 * the switch whether or not the run queue and the timers work.
 *
 * C cannot set registers around a call, so three small helpers are in
 * assembly below: one enters a new context and records the registers it
 * was given, one switches away with known values in the callee-saved
 * registers, and one, on the other side, copies the frame the switch
 * saved and overwrites those registers before it switches back.
 */
#include <keel/arch.h>
#include <keel/irq.h>
#include <keel/ktest.h>
#include <keel/sched.h>

#define STACK_WORDS 1024

/* What ktest_ctx_switch_with_magic() puts in the callee-saved registers. */
#define MAGIC_EDI 0x5eed0ed1
#define MAGIC_ESI 0x5eed0e51
#define MAGIC_EBX 0x5eed0eb8
#define MAGIC_EBP 0x5eed0eb9
#define STR_(x)   #x
#define STR(x)    STR_(x)

static uint32_t stacks[2][STACK_WORDS] __attribute__((aligned(16)));

/* Shared with the assembly helpers, so global: a call may change them. */
extern uintptr_t ktest_ctx_main_sp, ktest_ctx_other_sp;
extern uint32_t ktest_ctx_regs[5], ktest_ctx_frame[5];
uintptr_t ktest_ctx_main_sp;  /* where the test's own stack pointer is saved */
uintptr_t ktest_ctx_other_sp; /* where the other context's is saved */
uint32_t ktest_ctx_regs[5];   /* edi, esi, ebx, ebp, esp as a new context began */
uint32_t ktest_ctx_frame[5];  /* the five words at the test's saved stack pointer */

void ktest_ctx_record_entry(void);
void ktest_ctx_clobber_entry(void);
void ktest_ctx_switch_with_magic(uintptr_t *save_sp, uintptr_t new_sp, uint32_t *out);
extern const char ktest_ctx_switch_return[];

__asm__(
    ".pushsection .text\n"
    /* An entry for arch_context_init(): record the registers, go back. */
    ".globl ktest_ctx_record_entry\n"
    ".type ktest_ctx_record_entry, @function\n"
    "ktest_ctx_record_entry:\n"
    "	movl %edi, ktest_ctx_regs\n"
    "	movl %esi, ktest_ctx_regs+4\n"
    "	movl %ebx, ktest_ctx_regs+8\n"
    "	movl %ebp, ktest_ctx_regs+12\n"
    "	movl %esp, ktest_ctx_regs+16\n"
    "	xorl %ebp, %ebp\n"
    "	pushl ktest_ctx_main_sp\n"
    "	pushl $ktest_ctx_other_sp\n"
    "	call arch_context_switch\n"
    "	ud2\n"
    ".size ktest_ctx_record_entry, . - ktest_ctx_record_entry\n"
    /* An entry that copies the saved frame and spoils the registers. */
    ".globl ktest_ctx_clobber_entry\n"
    ".type ktest_ctx_clobber_entry, @function\n"
    "ktest_ctx_clobber_entry:\n"
    "	movl ktest_ctx_main_sp, %eax\n"
    "	movl 0(%eax), %ecx; movl %ecx, ktest_ctx_frame\n"
    "	movl 4(%eax), %ecx; movl %ecx, ktest_ctx_frame+4\n"
    "	movl 8(%eax), %ecx; movl %ecx, ktest_ctx_frame+8\n"
    "	movl 12(%eax), %ecx; movl %ecx, ktest_ctx_frame+12\n"
    "	movl 16(%eax), %ecx; movl %ecx, ktest_ctx_frame+16\n"
    "	movl $0xbad0bad1, %edi\n"
    "	movl $0xbad0bad2, %esi\n"
    "	movl $0xbad0bad3, %ebx\n"
    "	xorl %ebp, %ebp\n"
    "	pushl ktest_ctx_main_sp\n"
    "	pushl $ktest_ctx_other_sp\n"
    "	call arch_context_switch\n"
    "	ud2\n"
    ".size ktest_ctx_clobber_entry, . - ktest_ctx_clobber_entry\n"
    /* (save_sp, new_sp, out): switch with known callee-saved registers;
         * once back, store what they hold in out[0..3]: edi, esi, ebx, ebp. */
    ".globl ktest_ctx_switch_with_magic\n"
    ".type ktest_ctx_switch_with_magic, @function\n"
    "ktest_ctx_switch_with_magic:\n"
    "	pushl %ebp\n"
    "	movl %esp, %ebp\n"
    "	pushl %ebx\n"
    "	pushl %esi\n"
    "	pushl %edi\n"
    "	pushl 16(%ebp)\n"
    "	pushl 12(%ebp)\n"
    "	pushl 8(%ebp)\n"
    "	movl $" STR(
        MAGIC_EDI) ", %edi\n"
                   "	movl $" STR(
                       MAGIC_ESI) ", %esi\n"
                                  "	movl $" STR(
                                      MAGIC_EBX) ", %ebx\n"
                                                 "	movl $" STR(
                                                     MAGIC_EBP) ", %ebp\n"
                                                                "	call arch_context_switch\n"
                                                                ".globl ktest_ctx_switch_return\n"
                                                                "ktest_ctx_switch_return:\n"
                                                                "	addl $8, %esp\n"
                                                                "	popl %eax\n"
                                                                "	movl %edi, 0(%eax)\n"
                                                                "	movl %esi, 4(%eax)\n"
                                                                "	movl %ebx, 8(%eax)\n"
                                                                "	movl %ebp, 12(%eax)\n"
                                                                "	popl %edi\n"
                                                                "	popl %esi\n"
                                                                "	popl %ebx\n"
                                                                "	popl %ebp\n"
                                                                "	ret\n"
                                                                ".size "
                                                                "ktest_ctx_switch_with_magic, . - "
                                                                "ktest_ctx_switch_with_magic\n"
                                                                ".popsection\n");

static volatile unsigned entered;

static void enter_and_go_back(void)
{
	entered++;
	arch_context_switch(&ktest_ctx_other_sp, ktest_ctx_main_sp);
}

KTEST(context, first_switch_runs_the_entry)
{
	uint32_t *top = &stacks[0][STACK_WORDS];
	uintptr_t sp = arch_context_init(top, enter_and_go_back);
	spinflags_t f = spin_lock(&sched_lock);

	entered = 0;
	ktest_ctx_other_sp = 0;
	arch_context_switch(&ktest_ctx_main_sp, sp);
	spin_unlock(&sched_lock, f);
	KT_EXPECT_EQ(entered, 1);
	/* Each side's stack pointer was stored where it asked, within its stack. */
	KT_EXPECT(ktest_ctx_other_sp > (uintptr_t)stacks[0] && ktest_ctx_other_sp < (uintptr_t)top);
	uintptr_t here = (uintptr_t)&f;
	KT_EXPECT(ktest_ctx_main_sp < here && here - ktest_ctx_main_sp < 512);
}

KTEST(context, restores_the_init_frame)
{
	uint32_t *top = &stacks[1][STACK_WORDS];
	uint32_t *sp = (uint32_t *)arch_context_init(top, ktest_ctx_record_entry);

	/* From sp up: edi, esi, ebx, ebp, the entry (where `ret` goes), 0. */
	KT_ASSERT(sp == top - 6);
	sp[0] = 0x0ed1;
	sp[1] = 0x0e51;
	sp[2] = 0x0eb8;
	sp[3] = 0x0eb9;
	spinflags_t f = spin_lock(&sched_lock);
	arch_context_switch(&ktest_ctx_main_sp, (uintptr_t)sp);
	spin_unlock(&sched_lock, f);
	KT_EXPECT_EQ(ktest_ctx_regs[0], 0x0ed1); /* edi */
	KT_EXPECT_EQ(ktest_ctx_regs[1], 0x0e51); /* esi */
	KT_EXPECT_EQ(ktest_ctx_regs[2], 0x0eb8); /* ebx */
	KT_EXPECT_EQ(ktest_ctx_regs[3], 0x0eb9); /* ebp */
	/* `ret` took the entry's address: the stack holds only the 0 above it. */
	KT_EXPECT_EQ(ktest_ctx_regs[4], (uintptr_t)(top - 1));
}

/* Switch with magic values to a context that spoils them, and back. */
static void round_trip_with_magic(uint32_t *out)
{
	uintptr_t sp = arch_context_init(&stacks[1][STACK_WORDS], ktest_ctx_clobber_entry);
	spinflags_t f = spin_lock(&sched_lock);

	ktest_ctx_switch_with_magic(&ktest_ctx_main_sp, sp, out);
	spin_unlock(&sched_lock, f);
}

KTEST(context, saves_the_init_frame)
{
	uint32_t out[4];

	round_trip_with_magic(out);
	/* The frame the switch left on the stack it switched away from. */
	KT_EXPECT_EQ(ktest_ctx_frame[0], MAGIC_EDI);
	KT_EXPECT_EQ(ktest_ctx_frame[1], MAGIC_ESI);
	KT_EXPECT_EQ(ktest_ctx_frame[2], MAGIC_EBX);
	KT_EXPECT_EQ(ktest_ctx_frame[3], MAGIC_EBP);
	KT_EXPECT_EQ(ktest_ctx_frame[4], (uintptr_t)ktest_ctx_switch_return);
}

KTEST(context, callee_saved_registers_survive)
{
	uint32_t out[4];

	round_trip_with_magic(out);
	KT_EXPECT_EQ(out[0], MAGIC_EDI);
	KT_EXPECT_EQ(out[1], MAGIC_ESI);
	KT_EXPECT_EQ(out[2], MAGIC_EBX);
	KT_EXPECT_EQ(out[3], MAGIC_EBP);
}

/* --- Three stacks taking turns ----------------------------------------- */

#define TURNS 100
static uintptr_t sp_main, sp_a, sp_b;
static uint32_t turns[3 * TURNS];
static unsigned nturns;

/* Log that context @p who ran for the @p n th time, by its own count. */
static void took_turn(unsigned who, unsigned n)
{
	if (nturns < 3 * TURNS)
		turns[nturns++] = who << 16 | n;
}

static void turn_a(void)
{
	for (unsigned mine = 1;; mine++) {
		took_turn(1, mine);
		arch_context_switch(&sp_a, sp_b);
	}
}

static void turn_b(void)
{
	for (unsigned mine = 1;; mine++) {
		took_turn(2, mine);
		arch_context_switch(&sp_b, sp_main);
	}
}

KTEST(context, three_stacks_take_turns)
{
	spinflags_t f = spin_lock(&sched_lock);

	nturns = 0;
	sp_a = arch_context_init(&stacks[0][STACK_WORDS], turn_a);
	sp_b = arch_context_init(&stacks[1][STACK_WORDS], turn_b);
	for (unsigned mine = 1; mine <= TURNS; mine++) {
		took_turn(0, mine);
		arch_context_switch(&sp_main, sp_a);
	}
	spin_unlock(&sched_lock, f);
	KT_ASSERT_EQ(nturns, 3 * TURNS);
	/* main, a, b, main, a, b, ...: each counting its own turns on its own stack. */
	for (unsigned i = 0; i < 3 * TURNS; i++) {
		uint32_t want = (i % 3) << 16 | (i / 3 + 1);
		if (turns[i] != want) {
			ktest_fail(__FILE__, __LINE__,
			           "turn %u: context %u's turn %u, expected %u's %u", i,
			           turns[i] >> 16, turns[i] & 0xffff, want >> 16, want & 0xffff);
			return;
		}
	}
}
