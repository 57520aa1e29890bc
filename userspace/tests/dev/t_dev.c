/*
 * t_dev.c - slice 6's servers end to end: devmgr, the console server and
 * the drivers, with this program standing in for the root task (the
 * kernel gives it the root's capabilities, as it gives every test
 * program it spawns).
 *
 * The restart cases start devmgr with t_dev_drv in the serial role, a
 * driver that crashes or hangs where a plan says, while clients write
 * numbered lines; the driver's "device" is a log shared with this
 * program, so the cases read back what was really done: every line once,
 * in each client's order, whatever crashed. Other cases flood the
 * console, run many clients at once, send it malformed requests, and
 * run the real serial and keyboard drivers. Case 7 waits for typed and
 * serial input (tests/e2e/test_drivers.py types it) and is run only by
 * name. The argument picks a case (0: 1..6); the exit status is the
 * number of failed checks.
 */
#include "srv_test.h"

#define CLIENT_WAIT_US 60000000u
#define INPUT_WAIT_US  60000000u

static struct dev_log *log;
static keel_handle_t log_frames;
static struct dm_link dm;

/* Map a fresh log with @plan (pairs of at, kind; @n of them). */
static bool log_setup(const uint32_t (*plan)[2], uint32_t n)
{
	log_frames = keel_frames_alloc(KEEL_ROOT_MEMORY, LOG_PAGES);
	if (!CHECK(log_frames > 0) ||
	    !CHECK_EQ(keel_frames_map(log_frames, (void *)LOG_ADDR, KEEL_PROT_WRITE), 0))
		return false;
	log = (struct dev_log *)LOG_ADDR;
	memset(log, 0, sizeof(*log));
	for (uint32_t i = 0; i < n && i < PLAN_MAX; i++) {
		log->plan[i].at = plan[i][0];
		log->plan[i].kind = plan[i][1];
	}
	log->nplan = n;
	return true;
}

/* Start devmgr: with the test driver and the log, or (@real) the real drivers. */
static bool start(bool real)
{
	struct dm_config cfg = {.flags = DM_FLAG_TEST_DRIVER | DM_FLAG_NO_KBD};

	if (real)
		cfg.flags = 0;
	cfg.serial_program = "t_dev_drv";
	cfg.test_handle = log_frames;
	return CHECK_EQ(devmgr_start(&cfg, &dm), 0);
}

static void stats(uint32_t *restarts, uint32_t *hangs, uint32_t *running)
{
	struct keel_msg m = {.label = DM_STATS};

	*restarts = *hangs = *running = 0;
	if (CHECK_EQ(keel_call(dm.control, &m, DM_WAIT_US), 0)) {
		*restarts = m.word[0], *hangs = m.word[1], *running = m.word[2];
	}
}

static void stop(void)
{
	CHECK_EQ(devmgr_stop(&dm), 0);
	if (log_frames > 0)
		CHECK_EQ(keel_handle_close(log_frames), 0);
	log_frames = 0;
	log = NULL;
}

/* Spawn @n clients of @role with @count each (client numbers from @first); 0 on failure. */
static void clients(keel_handle_t *tasks, uint32_t n, uint32_t first, uint32_t role, uint32_t count)
{
	for (uint32_t i = 0; i < n; i++) {
		struct keel_spawn o = {.arg = CLIENT_ARG(role, first + i, count),
		                       .give = dm.console,
		                       .give_rights = KEEL_RIGHT_SEND};
		tasks[i] = keel_task_spawn("t_dev_client", 12, &o);
		CHECK(tasks[i] > 0);
	}
}

static void reap(const keel_handle_t *tasks, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		int status = -1;
		if (tasks[i] <= 0)
			continue;
		if (!CHECK_EQ(keel_task_wait(tasks[i], &status, CLIENT_WAIT_US), 0))
			keel_task_kill(tasks[i]);
		CHECK_EQ(status, 0);
		keel_handle_close(tasks[i]);
	}
}

/* Parse "cNN MMMMM" at @p; the client, or -1. */
static int parse_line(const uint8_t *p, uint32_t *num)
{
	if (p[0] != 'c' || p[3] != ' ' || p[STREAM_LINE - 1] != '\n')
		return -1;
	*num = 0;
	for (int i = 4; i < 9; i++)
		*num = *num * 10 + (uint32_t)(p[i] - '0');
	return (p[1] - '0') * 10 + (p[2] - '0');
}

/* Every client's lines 0..count-1 are in the log once each, in order. @return the lines. */
static uint32_t check_log(uint32_t nclients, uint32_t count)
{
	uint32_t next[32] = {0}, lines = 0, num, at = 0;

	CHECK_EQ(log->dropped, 0);
	while (at < log->len) {
		uint32_t end = at;
		while (end < log->len && log->data[end] != '\n')
			end++;
		int c = end - at + 1 == STREAM_LINE ? parse_line(&log->data[at], &num) : -1;
		if (c >= 0 && c < (int)nclients) {
			if (num != next[c])
				utest_fail(__FILE__, __LINE__,
				           "client %d: line %u where %u was due", c, num, next[c]);
			next[c] = num + 1;
			lines++;
		}
		at = end + 1;
	}
	for (uint32_t c = 0; c < nclients; c++)
		if (next[c] != count)
			utest_fail(__FILE__, __LINE__, "client %u: %u lines of %u", c, next[c],
			           count);
	return lines;
}

/* Clients write numbered streams while the driver crashes or hangs as @plan says. */
static void restart_run(const uint32_t (*plan)[2], uint32_t n, uint32_t nclients, uint32_t count,
                        uint32_t want_restarts, uint32_t want_hangs)
{
	keel_handle_t tasks[8];
	uint32_t restarts, hangs, running, lines;

	if (!log_setup(plan, n) || !start(false))
		return;
	clients(tasks, nclients, 0, CLIENT_STREAM, count);
	reap(tasks, nclients);
	stats(&restarts, &hangs, &running);
	lines = check_log(nclients, count);
	printf("# t_dev: %u lines, %u requests to the driver, %u incarnations, %u restarts, "
	       "%u hangs\n",
	       lines, log->requests, log->incarnations, restarts, hangs);
	CHECK_EQ(log->faults, n);
	CHECK_EQ(restarts, want_restarts);
	CHECK_EQ(hangs, want_hangs);
	CHECK_EQ(log->incarnations, want_restarts + 1);
	CHECK_EQ(running, 2); /* the console and the driver */
	stop();
}

static void case_crash_restart(void)
{
	static const uint32_t plan[][2] = {{4, FAULT_BEFORE},
	                                   {10, FAULT_HALF},
	                                   {16, FAULT_AFTER},
	                                   {22, FAULT_HALF},
	                                   {23, FAULT_AFTER}};

	restart_run(plan, 5, 3, 12, 5, 0);
}

static void case_hang_restart(void)
{
	static const uint32_t plan[][2] = {{5, FAULT_HANG}, {9, FAULT_BEFORE}};

	restart_run(plan, 2, 2, 8, 2, 1);
}

/* A flooding client is refused; the others' lines all get through. */
static void case_flood(void)
{
	keel_handle_t tasks[3];

	if (!log_setup(NULL, 0) || !start(false))
		return;
	clients(tasks, 1, 9, CLIENT_FLOOD, 300);
	clients(tasks + 1, 2, 0, CLIENT_STREAM, 20);
	reap(tasks, 3);
	printf("# t_dev: flood: %u lines through\n", check_log(2, 20));
	stop();
}

static void case_many_clients(void)
{
	keel_handle_t tasks[8];

	if (!log_setup(NULL, 0) || !start(false))
		return;
	clients(tasks, 8, 0, CLIENT_STREAM, 10);
	reap(tasks, 8);
	printf("# t_dev: %u lines from 8 clients\n", check_log(8, 10));
	stop();
}

/* One call to the console: the server's word[0], or the call's own error. */
static int32_t con_call(struct keel_msg *m)
{
	int32_t r = keel_call(dm.console, m, DM_WAIT_US);

	return r < 0 ? r : (int32_t)m->word[0];
}

/* A READ of 4 bytes bringing @h with @rights: the server's answer. */
static int32_t read_with(keel_handle_t h, uint32_t rights)
{
	static char buf[4];
	struct keel_msg m = {.label = CON_READ, .word = {4}, .buf = buf, .cap = 4, .nhandles = 1};

	m.handle[0] = h;
	m.rights[0] = rights;
	return con_call(&m);
}

/* Whether the log holds @text. */
static bool log_has(const char *text)
{
	uint32_t n = (uint32_t)strlen(text);

	for (uint32_t i = 0; i + n <= log->len; i++)
		if (memcmp(&log->data[i], text, n) == 0)
			return true;
	return false;
}

/* Malformed requests get an error each, and the server goes on serving. */
static void case_bad_requests(void)
{
	static char buf[KEEL_MSG_BUF_MAX + 8] = "bad\n";
	int32_t n = keel_notify_create(), ep = keel_endpoint_create(NULL);
	uint32_t restarts, hangs, running;
	struct keel_msg m = {.label = 0x1234};

	if (!CHECK(n > 0 && ep > 0) || !log_setup(NULL, 0) || !start(false))
		return;
	CHECK_EQ(con_call(&m), KEEL_ERR_INVALID);
	CHECK_EQ(m.label, CON_REPLY);
	m = (struct keel_msg){.label = CON_WRITE, .buf = buf}; /* no bytes */
	CHECK_EQ(con_call(&m), KEEL_ERR_INVALID);
	m = (struct keel_msg){.label = CON_WRITE, .buf = buf, .len = 4, .nhandles = 1};
	m.handle[0] = n, m.rights[0] = KEEL_RIGHT_SEND;
	CHECK_EQ(con_call(&m), KEEL_ERR_INVALID);
	m = (struct keel_msg){.label = CON_WRITE, .buf = buf, .len = KEEL_MSG_BUF_MAX + 1};
	CHECK(con_call(&m) < 0); /* the kernel refuses it first */
	m = (struct keel_msg){.label = CON_WRITE, .buf = buf, .len = 4, .nhandles = 1};
	m.handle[0] = 0x7777, m.rights[0] = KEEL_RIGHT_SEND;
	CHECK_EQ(con_call(&m), KEEL_ERR_BAD_HANDLE);
	m = (struct keel_msg){.label = CON_READ, .buf = buf, .cap = 4};
	CHECK_EQ(con_call(&m), KEEL_ERR_INVALID); /* 0 bytes wanted */
	m = (struct keel_msg){.label = CON_READ, .word = {KEEL_MSG_BUF_MAX + 1}, .buf = buf};
	m.cap = sizeof(buf);
	CHECK_EQ(con_call(&m), KEEL_ERR_RANGE);
	CHECK_EQ(read_with(ep, KEEL_RIGHT_SEND), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(read_with(n, KEEL_RIGHT_RECV), KEEL_ERR_DENIED);
	m = (struct keel_msg){.label = CON_WRITE, .buf = "sent\n", .len = 5};
	CHECK_EQ(keel_send(dm.console, &m, DM_WAIT_US), 0); /* not a call: dropped */
	CHECK_EQ(console_write(dm.console, "ok\n", 3), 3);
	CHECK_EQ(console_read(dm.console, buf, 4, 0), 0);
	stats(&restarts, &hangs, &running);
	CHECK_EQ(running, 2);
	CHECK(log_has("ok\n"));
	CHECK(!log_has("bad\n") && !log_has("sent\n"));
	CHECK_EQ(keel_handle_close(n), 0);
	CHECK_EQ(keel_handle_close(ep), 0);
	stop();
}

/* The real serial and keyboard drivers start, and a write goes out on COM1. */
static void case_real_drivers(void)
{
	static const char line[] = "# t_dev: through the console server and the serial driver\n";
	uint32_t restarts, hangs, running;
	char buf[4];

	if (!start(true))
		return;
	CHECK_EQ(console_write(dm.console, line, sizeof(line) - 1), sizeof(line) - 1);
	CHECK_EQ(console_read(dm.console, buf, sizeof(buf), 0), 0);
	stats(&restarts, &hangs, &running);
	CHECK_EQ(running, 3);
	CHECK_EQ(restarts, 0);
	stop();
}

/* Print each line typed (keyboard) or sent (COM1) until two came. */
static void case_input(void)
{
	uint64_t end = keel_now_us() + INPUT_WAIT_US;
	uint32_t len = 0, lines = 0;
	char line[64], c;

	if (!start(true))
		return;
	printf("# t_dev: ready for input\n");
	while (lines < 2 && keel_now_us() < end) {
		int32_t r = console_read(dm.console, &c, 1, 1000000);
		if (r <= 0) {
			if (!CHECK(r == 0))
				break;
			continue;
		}
		if (c == '\n' || c == '\r') {
			line[len] = '\0';
			printf("# t_dev: read '%s'\n", line);
			len = 0;
			lines++;
		} else if (c == '\b') {
			len -= len > 0;
		} else if (len < sizeof(line) - 1) {
			line[len++] = c;
		}
	}
	CHECK_EQ(lines, 2);
	stop();
}

static const struct utest_case cases[] = {
    {"crash_restart", case_crash_restart},
    {"hang_restart", case_hang_restart},
    {"flood", case_flood},
    {"many_clients", case_many_clients},
    {"bad_requests", case_bad_requests},
    {"real_drivers", case_real_drivers},
    {"input", case_input},
};

int main(uint32_t which)
{
	/* Case 7 waits for input someone types: never part of "all". */
	return utest_run("t_dev", cases, which == 0 ? 6 : 7, which);
}
