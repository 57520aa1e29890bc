/*
 * devmgr.c - the device manager: the one program that knows which
 * hardware the machine has, and the keeper of the drivers.
 *
 * The root task starts it and hands it the hardware capabilities
 * (DM_HELLO, lib/devlink.c). From its table below, devmgr derives for
 * each driver only what that driver needs (one interrupt line, its own
 * ports, and for the console server the VGA text page), creates the IPC
 * objects that must outlive a driver (keel_console.h), starts the
 * drivers and then the console server, and watches each with
 * TASK_NOTIFY. A driver that ends is started again from the boot
 * archive with the same capabilities and the same state page; one that
 * the console reports hung (DM_HUNG_BIT) is killed first. The console,
 * which keeps every unanswered request, sends it again to the new
 * incarnation: nobody needs to tell it, since its call either fails
 * with GONE or waits on the request endpoint, which is devmgr's.
 *
 * Its one thread waits on the control endpoint with its notification
 * bound, so a single receive returns a control request (DM_STATS,
 * DM_RESTART, DM_STOP) or the bits of tasks that ended and drivers found hung.
 */
#include <keel_console.h>

#define HELLO_US      5000000u    /* how long a started program may take to say DRV_HELLO */
#define REAP_US       1000000u    /* how long to wait for a task said to have ended */
#define PAGES_ADDR    0x40000000u /* where devmgr maps the state pages, one per role */
#define VGA_TEXT_PAGE ((0xB8000u - KEEL_DEVICE_BASE) / KEEL_PAGE_SIZE)
#define DERIVED       (KEEL_RIGHT_READ | KEEL_RIGHT_WRITE | KEEL_RIGHT_GRANT)

/* [dm_table] */
/* The hardware: what each driver is given, and nothing more. */
struct hw_entry {
	const char *name, *program;
	uint32_t irq;                /* its interrupt line */
	uint32_t port[2], nports[2]; /* its I/O port ranges (nports 0: none) */
	uint32_t input_bit;          /* the console's input bit it signals */
};
static const struct hw_entry hw_table[] = {
    [DM_ROLE_SERIAL] = {"serial", "serial", 4, {0x3f8, 0}, {8, 0}, CON_BIT_SERIAL},
    [DM_ROLE_KBD] = {"keyboard", "kbd", 1, {0x60, 0x64}, {1, 1}, CON_BIT_KBD},
};
/* The console server: the VGA text page (0xB8000), and no ports or lines. */
/* [dm_table] */

/* A program devmgr starts and watches. The handles are devmgr's; give[]
 * is what DRV_HELLO hands each incarnation, in order. */
struct role {
	const char *name;
	char program[32];
	bool wanted;
	keel_handle_t task;    /* 0: not running */
	keel_handle_t boot;    /* the boot endpoint its DRV_HELLO comes on */
	keel_handle_t request; /* a driver's request endpoint */
	keel_handle_t state;   /* a driver's state page (the run's original) */
	struct drv_state *page;
	keel_handle_t give[DRV_HANDLES_MAX];
	uint32_t rights[DRV_HANDLES_MAX];
	uint32_t ngive, flags, bits;
	uint64_t started_us;
};

static struct role roles[DM_ROLES];
static keel_handle_t irq_all, io_all, dev_all, memory, archive, test_cap;
static keel_handle_t note;       /* devmgr's: DM_DEATH_BIT, DM_HUNG_BIT */
static keel_handle_t input_note; /* the console's input notification */
static keel_handle_t clients_ep, control_ep;
static uint32_t dm_flags, restarts, hangs, pending;
static char test_program[32]; /* with DM_FLAG_TEST_DRIVER: the serial role's program */

/* -- Start-up ------------------------------------------------------------ */

/* DM_HELLO on the bootstrap endpoint: the spawner's capabilities. */
static int32_t dm_hello(void)
{
	char *prog = test_program;
	struct keel_msg m = {.label = DM_HELLO, .word = {0}};
	int32_t r = keel_call(KEEL_SPAWN_GIVEN, &m, DM_WAIT_US);

	if (r < 0 || m.nhandles != 3)
		return r < 0 ? r : KEEL_ERR_INVALID;
	irq_all = m.handle[0], io_all = m.handle[1], dev_all = m.handle[2];
	dm_flags = m.word[0];
	m = (struct keel_msg){
	    .label = DM_HELLO, .word = {1}, .buf = prog, .cap = sizeof(test_program) - 1};
	r = keel_call(KEEL_SPAWN_GIVEN, &m, DM_WAIT_US);
	if (r < 0 || m.nhandles < 2)
		return r < 0 ? r : KEEL_ERR_INVALID;
	memory = m.handle[0], archive = m.handle[1];
	test_cap = m.nhandles > 2 ? m.handle[2] : 0;
	prog[m.len < sizeof(test_program) ? m.len : 0] = '\0';
	return 0;
}

static int32_t dm_objects(void)
{
	note = keel_notify_create();
	input_note = keel_notify_create();
	clients_ep = keel_endpoint_create(NULL);
	control_ep = keel_endpoint_create(NULL);
	if (note < 0 || input_note < 0 || clients_ep < 0 || control_ep < 0)
		return KEEL_ERR_NO_MEMORY;
	return keel_notify_bind(note);
}

/* Add @h (an error: fail) to what @r's incarnations are given, with @rights. */
static int32_t give(struct role *r, int32_t h, uint32_t rights)
{
	if (h < 0)
		return h;
	if (r->ngive == DRV_HANDLES_MAX)
		return KEEL_ERR_LIMIT;
	r->give[r->ngive] = h;
	r->rights[r->ngive++] = rights;
	return 0;
}

/* The request endpoint and the state page every driver has, zeroed once. */
static int32_t dm_driver_common(uint32_t i)
{
	struct role *r = &roles[i];
	int32_t s;

	r->request = keel_endpoint_create(NULL);
	r->state = keel_frames_alloc(memory, 1);
	if (r->request < 0 || r->state < 0)
		return KEEL_ERR_NO_MEMORY;
	r->page = (struct drv_state *)(PAGES_ADDR + i * KEEL_PAGE_SIZE);
	s = keel_frames_map(r->state, r->page, KEEL_PROT_WRITE);
	if (s < 0)
		return s;
	memset(r->page, 0, KEEL_PAGE_SIZE);
	r->page->magic = DRV_STATE_MAGIC;
	s = give(r, r->request, KEEL_RIGHT_RECV);
	if (s == 0)
		s = give(r, r->state, KEEL_RIGHT_MAP | KEEL_RIGHT_WRITE);
	if (s == 0)
		s = give(r, input_note, KEEL_RIGHT_SEND);
	return s;
}

/* A driver of hw_table: its line and its ports, derived from the whole. */
static int32_t dm_driver_setup(uint32_t i)
{
	const struct hw_entry *hw = &hw_table[i];
	struct role *r = &roles[i];
	int32_t s = dm_driver_common(i);

	r->bits = hw->input_bit;
	if (i == DM_ROLE_SERIAL && (dm_flags & DM_FLAG_MONITOR))
		r->flags = DRV_FLAG_NO_INPUT;
	if (s == 0 && i == DM_ROLE_SERIAL && (dm_flags & DM_FLAG_TEST_DRIVER))
		return give(r, test_cap, KEEL_RIGHT_READ | KEEL_RIGHT_WRITE | KEEL_RIGHT_MAP);
	if (s == 0)
		s = give(r, keel_cap_derive(irq_all, DERIVED, KEEL_RANGE(hw->irq, 1)),
		         KEEL_RIGHT_READ | KEEL_RIGHT_WRITE);
	for (int p = 0; p < 2 && s == 0 && hw->nports[p]; p++)
		s = give(r,
		         keel_cap_derive(io_all, DERIVED, KEEL_RANGE(hw->port[p], hw->nports[p])),
		         KEEL_RIGHT_READ | KEEL_RIGHT_WRITE);
	return s;
}

static int32_t dm_console_setup(void)
{
	struct role *r = &roles[DM_ROLE_CONSOLE];
	int32_t vga =
	    keel_cap_derive(dev_all, DERIVED | KEEL_RIGHT_MAP, KEEL_RANGE(VGA_TEXT_PAGE, 1));
	int32_t s = give(r, clients_ep, KEEL_RIGHT_RECV);

	if (s == 0)
		s = give(r, input_note, KEEL_RIGHT_RECV);
	if (s == 0)
		s = give(r, note, KEEL_RIGHT_SEND);
	if (s == 0)
		s = give(r, vga, KEEL_RIGHT_MAP | KEEL_RIGHT_WRITE);
	if (s == 0)
		s = give(r, roles[DM_ROLE_SERIAL].request, KEEL_RIGHT_SEND);
	if (s == 0 && roles[DM_ROLE_KBD].wanted)
		s = give(r, roles[DM_ROLE_KBD].request, KEEL_RIGHT_SEND);
	return s;
}

/* -- Starting and restarting ---------------------------------------------- */

/* Answer @r's DRV_HELLO calls, a batch each, until it has every handle. */
static int32_t dm_hello_serve(struct role *r)
{
	for (uint32_t sent = 0; sent < r->ngive;) {
		struct keel_msg m = {0};
		int32_t s = keel_recv(r->boot, &m, HELLO_US);
		if (s < 0)
			return s;
		if (m.flags & KEEL_MSG_NOTIFIED) {
			pending |= m.word[0]; /* devmgr's own bits: for the loop */
			continue;
		}
		uint32_t first = m.word[0] * KEEL_MSG_HANDLES, n = 0;
		if (m.label != DRV_HELLO || !(m.flags & KEEL_MSG_CALL) || first > r->ngive)
			return KEEL_ERR_INVALID;
		m = (struct keel_msg){.label = DRV_HELLO, .word = {r->ngive, r->flags, r->bits}};
		for (; n < KEEL_MSG_HANDLES && first + n < r->ngive; n++) {
			m.handle[n] = r->give[first + n];
			m.rights[n] = r->rights[first + n];
		}
		m.nhandles = n;
		s = keel_reply(&m);
		if (s < 0)
			return s;
		sent = first + n;
	}
	return 0;
}

static void dm_reap(struct role *r, bool kill)
{
	int status;

	if (kill)
		keel_task_kill(r->task);
	keel_task_wait(r->task, &status, REAP_US);
	keel_handle_close(r->task);
	r->task = 0;
}

/* Start an incarnation of role @i and hand it its capabilities. */
static int32_t dm_start(uint32_t i)
{
	struct role *r = &roles[i];
	struct keel_spawn o = {.give = r->boot, .give_rights = KEEL_RIGHT_SEND, .archive = archive};
	int32_t t, s;

	o.slots = i == DM_ROLE_CONSOLE ? 128 : 0;
	t = keel_task_spawn(r->program, strlen(r->program), &o);
	if (t < 0)
		return t;
	r->task = t;
	r->started_us = keel_now_us();
	if (r->page)
		r->page->incarnation++;
	s = keel_task_notify(t, note, DM_DEATH_BIT(i));
	if (s == 0)
		s = dm_hello_serve(r);
	if (s < 0)
		dm_reap(r, true);
	return s;
}

/* [dm_ended] */
/* Role @i's task ended (its bit came): collect it, and start a driver again. */
static void dm_ended(uint32_t i)
{
	struct role *r = &roles[i];
	int status = 0;
	int32_t s;

	if (r->task == 0 || keel_task_wait(r->task, &status, REAP_US) < 0)
		return; /* not ours, or it has not ended after all */
	keel_handle_close(r->task);
	r->task = 0;
	printf("devmgr: %s ended (status %#x)%s\n", r->name, (unsigned)status,
	       i == DM_ROLE_CONSOLE ? "" : "; starting it again");
	if (i == DM_ROLE_CONSOLE)
		return;
	/* LAB 6: start the driver again: the same program, capabilities and state page */
	restarts++;
	s = dm_start(i);
	if (s < 0)
		printf("devmgr: cannot start %s again: %s\n", r->name, keel_strerror(s));
	/* LAB 6 STUB
	(void)s;
	LAB 6 END */
}
/* [dm_ended] */

/* The console found role @i hung: kill it (its end starts it again). A
 * young incarnation is spared: the console's timeout may have run while
 * it was still starting. */
static void dm_hung(uint32_t i)
{
	struct role *r = &roles[i];

	if (r->task == 0 || keel_now_us() - r->started_us < DRV_TIMEOUT_US)
		return;
	hangs++;
	printf("devmgr: %s does not answer; killing it\n", r->name);
	keel_task_kill(r->task);
}

/* DM_RESTART: kill driver @i; its end starts it again (dm_ended). */
static int32_t dm_restart(uint32_t i)
{
	if (i >= DM_ROLES || i == DM_ROLE_CONSOLE || roles[i].task == 0)
		return KEEL_ERR_INVALID;
	return keel_task_kill(roles[i].task);
}

/* -- Running --------------------------------------------------------------- */

static void dm_bits(uint32_t bits)
{
	for (uint32_t i = 0; i < DM_ROLES; i++) {
		if (bits & DM_HUNG_BIT(i))
			dm_hung(i);
		if (bits & DM_DEATH_BIT(i))
			dm_ended(i);
	}
}

static void dm_stop_all(void)
{
	static const uint32_t order[] = {DM_ROLE_CONSOLE, DM_ROLE_SERIAL, DM_ROLE_KBD};

	keel_notify_bind(-1);
	for (uint32_t i = 0; i < DM_ROLES; i++)
		if (roles[order[i]].task)
			dm_reap(&roles[order[i]], true);
}

/* Serve the control endpoint and the notification until DM_STOP. */
static void dm_loop(void)
{
	struct keel_msg m;

	for (;;) {
		uint32_t bits = pending;
		pending = 0;
		if (bits) {
			dm_bits(bits);
			continue;
		}
		m = (struct keel_msg){0};
		if (keel_recv(control_ep, &m, KEEL_TIMEOUT_NEVER) < 0)
			return;
		if (m.flags & KEEL_MSG_NOTIFIED) {
			pending |= m.word[0];
			continue;
		}
		for (uint32_t i = 0; i < m.nhandles; i++)
			keel_handle_close(m.handle[i]);
		if (!(m.flags & KEEL_MSG_CALL))
			continue;
		uint32_t label = m.label, role = m.word[0], running = 0;
		for (uint32_t i = 0; i < DM_ROLES; i++)
			running += roles[i].task != 0;
		m = (struct keel_msg){.label = label, .word = {restarts, hangs, running}};
		if (label == DM_STOP)
			dm_stop_all();
		else if (label == DM_RESTART)
			m.word[0] = (uint32_t)dm_restart(role);
		else if (label != DM_STATS)
			m.word[0] = (uint32_t)KEEL_ERR_INVALID;
		keel_reply(&m);
		if (label == DM_STOP)
			return;
	}
}

/* Set up and start every role: the drivers first, then the console. */
static int32_t dm_start_all(void)
{
	static const char *const names[DM_ROLES] = {"serial", "keyboard", "console"};
	static const char *const programs[DM_ROLES] = {"serial", "kbd", "console"};
	int32_t s = 0;

	for (uint32_t i = 0; i < DM_ROLES; i++) {
		roles[i].name = names[i];
		memcpy(roles[i].program, programs[i], strlen(programs[i]) + 1);
		roles[i].boot = keel_endpoint_create(NULL);
		if (roles[i].boot < 0)
			return roles[i].boot;
	}
	if ((dm_flags & DM_FLAG_TEST_DRIVER) && test_program[0])
		memcpy(roles[DM_ROLE_SERIAL].program, test_program, sizeof(test_program));
	roles[DM_ROLE_SERIAL].wanted = roles[DM_ROLE_CONSOLE].wanted = true;
	roles[DM_ROLE_KBD].wanted = !(dm_flags & DM_FLAG_NO_KBD);
	for (uint32_t i = 0; i < DM_ROLES && s == 0; i++)
		if (roles[i].wanted && i != DM_ROLE_CONSOLE)
			s = dm_driver_setup(i);
	if (s == 0)
		s = dm_console_setup();
	for (uint32_t i = 0; i < DM_ROLES && s == 0; i++)
		if (roles[i].wanted)
			s = dm_start(i);
	return s;
}

int main(uint32_t arg)
{
	struct keel_msg m = {.label = DM_READY, .nhandles = 2};
	int32_t s;

	(void)arg;
	s = dm_hello();
	if (s == 0)
		s = dm_objects();
	if (s == 0)
		s = dm_start_all();
	m.handle[0] = clients_ep, m.rights[0] = KEEL_RIGHT_SEND | KEEL_RIGHT_GRANT;
	m.handle[1] = control_ep, m.rights[1] = KEEL_RIGHT_SEND;
	if (s == 0)
		s = keel_call(KEEL_SPAWN_GIVEN, &m, DM_WAIT_US);
	if (s < 0) {
		printf("devmgr: cannot start: %s\n", keel_strerror(s));
		dm_stop_all();
		return 1;
	}
	keel_handle_close(KEEL_SPAWN_GIVEN);
	printf("devmgr: %s, %s and console running\n", roles[DM_ROLE_SERIAL].program,
	       roles[DM_ROLE_KBD].wanted ? "keyboard" : "no keyboard");
	dm_loop();
	return 0;
}
