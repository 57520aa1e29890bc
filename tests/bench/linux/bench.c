/*
 * bench.c - the same work as Keel's benchmarks, timed on Linux.
 *
 * scripts/bench-linux boots Debian's Linux kernel in the QEMU mode Keel's
 * benchmarks ran in, with this program as /init in an initramfs, so that
 * Keel and Linux are compared in the same units (CHARTER, "Performance").
 * Each sample is one operation between the serialised timestamp pair
 * Keel uses (lfence; rdtsc before, rdtscp; lfence after), and the samples
 * go out in the lines Keel's runner prints (kernel/debug/kbench.c), which
 * scripts/bench parses:
 *
 *     # bench begin overhead net        an empty timestamp pair
 *     # bench begin linux.NAME gross    then, per operation:
 *     # bench samples <up to 16 values>
 *     # bench end linux.NAME <count>
 *
 * getppid: the null system call (glibc does not cache it).
 * pipe_roundtrip: one byte to another process and one back, through two
 *   pipes; both processes pinned to one CPU, like Keel's same-core IPC.
 * futex_roundtrip: the same hand-off through a futex word in shared
 *   memory, between two processes.
 * yield_roundtrip: sched_yield() while another process on the same CPU
 *   does nothing but yield back, both under SCHED_FIFO (see set_fifo).
 *
 *     bench [--host] [SAMPLES]
 *
 * As process 1 it powers the machine off when done. --host runs it as an
 * ordinary program (the tests do, with few samples): it never powers off.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_SAMPLES 1000
#define WARMUP          10
#define PER_LINE        16

/* The futex word's states: the parent hands the turn over with PING, the
 * child hands it back with PONG; STOP ends the child. */
enum { PONG, PING, STOP };

static unsigned samples = DEFAULT_SAMPLES;
static uint64_t *values;

static inline uint64_t bench_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t bench_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi) : : "ecx", "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void die(const char *what)
{
	printf("# bench: %s failed\n", what);
	fflush(stdout);
	exit(1);
}

/* Print the samples of one case in the runner's format. */
static void report(const char *name, bool net)
{
	printf("# bench begin %s %s\n", name, net ? "net" : "gross");
	for (unsigned i = 0; i < samples; i += PER_LINE) {
		printf("# bench samples");
		for (unsigned k = i; k < samples && k < i + PER_LINE; k++)
			printf(" %llu", (unsigned long long)values[k]);
		printf("\n");
	}
	printf("# bench end %s %u\n", name, samples);
	fflush(stdout);
}

static void bench_overhead(void)
{
	for (unsigned i = 0; i < samples; i++) {
		uint64_t t0 = bench_begin();
		values[i] = bench_end() - t0;
	}
	report("overhead", true);
}

static void bench_getppid(void)
{
	for (unsigned i = 0; i < WARMUP + samples; i++) {
		uint64_t t0 = bench_begin();
		syscall(SYS_getppid);
		uint64_t t = bench_end() - t0;
		if (i >= WARMUP)
			values[i - WARMUP] = t;
	}
	report("linux.getppid", false);
}

/* Fork a child that runs @p body; exits the program if fork fails. */
static pid_t spawn(void (*body)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		body(arg);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("child");
}

/* The child's end of the pipe test: echo every byte until end of file. */
static void pipe_echo(void *arg)
{
	int *fd = arg; /* the parent's pipes: fd[0..1] there, fd[2..3] back */
	char c;

	close(fd[1]); /* else the child holds the write end open: no end of file */
	close(fd[2]);
	while (read(fd[0], &c, 1) == 1)
		if (write(fd[3], &c, 1) != 1)
			_exit(1);
}

static void bench_pipe(void)
{
	int fd[4];
	int *there = fd, *back = fd + 2;
	char c = 'x';

	if (pipe(there) < 0 || pipe(back) < 0)
		die("pipe");
	pid_t pid = spawn(pipe_echo, fd);
	close(there[0]);
	close(back[1]);
	for (unsigned i = 0; i < WARMUP + samples; i++) {
		uint64_t t0 = bench_begin();
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			die("pipe round trip");
		uint64_t t = bench_end() - t0;
		if (i >= WARMUP)
			values[i - WARMUP] = t;
	}
	close(there[1]);
	close(back[0]);
	reap(pid);
	report("linux.pipe_roundtrip", false);
}

static void futex_wait(uint32_t *word, uint32_t expected)
{
	syscall(SYS_futex, word, FUTEX_WAIT, expected, NULL, NULL, 0);
}

static void futex_set(uint32_t *word, uint32_t value)
{
	__atomic_store_n(word, value, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* The child's end of the futex test: hand every PING back as a PONG. */
static void futex_echo(void *arg)
{
	uint32_t *word = arg;

	for (;;) {
		uint32_t v = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		if (v == STOP)
			return;
		if (v == PING)
			futex_set(word, PONG);
		else
			futex_wait(word, PONG);
	}
}

/* One hand-off to the child and back. */
static void futex_roundtrip(uint32_t *word)
{
	futex_set(word, PING);
	while (__atomic_load_n(word, __ATOMIC_SEQ_CST) == PING)
		futex_wait(word, PING);
}

static void bench_futex(void)
{
	/* Shared, so the futex is not process-private: FUTEX_WAIT, not _PRIVATE. */
	uint32_t *word =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (word == MAP_FAILED)
		die("mmap");
	*word = PONG;
	pid_t pid = spawn(futex_echo, word);
	for (unsigned i = 0; i < WARMUP + samples; i++) {
		uint64_t t0 = bench_begin();
		futex_roundtrip(word);
		uint64_t t = bench_end() - t0;
		if (i >= WARMUP)
			values[i - WARMUP] = t;
	}
	futex_set(word, STOP);
	reap(pid);
	munmap(word, 4096);
	report("linux.futex_roundtrip", false);
}

/* The other end of the yield test: yield until killed, counting turns. */
static void yield_forever(void *arg)
{
	uint32_t *turns = arg;

	for (;;) {
		__atomic_fetch_add(turns, 1, __ATOMIC_SEQ_CST);
		sched_yield();
	}
}

/*
 * Under the default policy a yield only switches once the yielder has
 * run longer than the other task by the scheduler's granularity: a cheap
 * call yields to no one for a long time. Under SCHED_FIFO a yield always
 * goes to the back of the queue, so two yielders strictly alternate.
 */
static bool set_fifo(bool on)
{
	struct sched_param sp = {.sched_priority = on ? 1 : 0};

	return sched_setscheduler(0, on ? SCHED_FIFO : SCHED_OTHER, &sp) == 0;
}

static void bench_yield(void)
{
	uint32_t *turns =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (turns == MAP_FAILED)
		die("mmap");
	bool fifo = set_fifo(true);
	pid_t pid = spawn(yield_forever, turns); /* inherits the policy */
	for (unsigned i = 0; i < WARMUP + samples; i++) {
		uint64_t t0 = bench_begin();
		sched_yield();
		uint64_t t = bench_end() - t0;
		if (i >= WARMUP)
			values[i - WARMUP] = t;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (fifo)
		set_fifo(false);
	/* Not a "# bench" line: a note for whoever reads the log. */
	printf("# linux yield: SCHED_FIFO %s, the other process ran %u times in %u yields\n",
	       fifo ? "on" : "refused", *turns, WARMUP + samples);
	munmap(turns, 4096);
	report("linux.yield_roundtrip", false);
}

/* Every process from here on runs on CPU 0, the children too. */
static void pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
}

int main(int argc, char **argv)
{
	bool host = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0)
			host = true;
		else if (atoi(argv[i]) > 0)
			samples = (unsigned)atoi(argv[i]);
	}
	values = calloc(samples, sizeof(*values));
	if (!values)
		die("calloc");
	pin_to_cpu0();
	printf("# bench clock tsc\n");
	bench_overhead();
	bench_getppid();
	bench_pipe();
	bench_futex();
	bench_yield();
	printf("# bench done 4\n");
	fflush(stdout);
	/* Only as the first process of a machine of its own: never a host's. */
	if (!host && getpid() == 1)
		reboot(RB_POWER_OFF);
	return 0;
}
