/*
 * devlink.c - starting the device manager (keel_console.h's DM_ labels),
 * for the root task and the test programs that stand in for it.
 *
 * devmgr is given one handle at spawn, a bootstrap endpoint of its
 * spawner's; it calls back on it for everything else (DM_HELLO), then
 * hands over the console endpoint and its control endpoint (DM_READY).
 * The bootstrap endpoint is the spawner's and dies with it; nothing
 * devmgr keeps depends on it.
 *
 * What outlives the spawner. Every capability devmgr is given is a copy
 * derived from the spawner's, deleted when the spawner ends (chapter 5):
 * the originals of the hardware, of memory and of the boot archive never
 * move (KEEL_ERR_DENIED). So the root task stays up after boot, and a
 * test that stands in for it stops devmgr (devmgr_stop) before it ends.
 */
#include <keel_console.h>

/* Answer DM_HELLO batch 0: copies of the hardware capabilities, the flags. */
static void hello_hardware(const struct dm_config *cfg, struct keel_msg *m)
{
	static const keel_handle_t hw[] = {KEEL_ROOT_IRQ, KEEL_ROOT_IOPORT, KEEL_ROOT_DEVICE};

	*m = (struct keel_msg){.label = DM_HELLO, .word = {cfg->flags}, .nhandles = 3};
	for (uint32_t i = 0; i < 3; i++) {
		m->handle[i] = hw[i];
		m->rights[i] = KEEL_RIGHT_ALL;
	}
}

/* Answer DM_HELLO batch 1: memory, the archive, a test driver's capability and program. */
static void hello_rest(const struct dm_config *cfg, struct keel_msg *m)
{
	const char *prog = cfg->serial_program ? cfg->serial_program : "";

	*m = (struct keel_msg){.label = DM_HELLO, .word = {cfg->flags}, .nhandles = 2};
	m->handle[0] = KEEL_ROOT_MEMORY;
	m->handle[1] = KEEL_ROOT_ARCHIVE;
	m->rights[0] = m->rights[1] = KEEL_RIGHT_ALL;
	if ((cfg->flags & DM_FLAG_TEST_DRIVER) && cfg->test_handle) {
		m->handle[2] = cfg->test_handle;
		m->rights[2] = KEEL_RIGHT_ALL;
		m->nhandles = 3;
	}
	m->buf = (void *)prog;
	m->len = (uint32_t)strlen(prog);
}

/* Serve devmgr's calls on @ep until DM_READY: 0, or an error. */
static int32_t dm_serve(keel_handle_t ep, const struct dm_config *cfg, struct dm_link *out)
{
	struct keel_msg m;

	for (;;) {
		m = (struct keel_msg){0};
		int32_t r = keel_recv(ep, &m, DM_WAIT_US);
		if (r < 0)
			return r;
		if (m.label == DM_READY) {
			if (m.nhandles != 2)
				return KEEL_ERR_INVALID;
			out->console = m.handle[0];
			out->control = m.handle[1];
			m = (struct keel_msg){.label = DM_READY};
			return keel_reply(&m);
		}
		if (m.label != DM_HELLO || m.word[0] > 1)
			return KEEL_ERR_INVALID;
		if (m.word[0] == 0)
			hello_hardware(cfg, &m);
		else
			hello_rest(cfg, &m);
		r = keel_reply(&m);
		if (r < 0)
			return r;
	}
}

int32_t devmgr_start(const struct dm_config *cfg, struct dm_link *out)
{
	struct keel_spawn opts = {.slots = 256, .give_rights = KEEL_RIGHT_SEND};
	int32_t ep = keel_endpoint_create(NULL), r;

	*out = (struct dm_link){0};
	if (ep < 0)
		return ep;
	opts.give = ep;
	r = keel_task_spawn("devmgr", 6, &opts);
	if (r >= 0) {
		out->task = r;
		r = dm_serve(ep, cfg, out);
	}
	keel_handle_close(ep);
	if (r < 0 && out->task > 0) {
		int status;
		keel_task_kill(out->task);
		keel_task_wait(out->task, &status, DM_WAIT_US);
		keel_handle_close(out->task);
		out->task = 0;
	}
	return r < 0 ? r : 0;
}

int32_t devmgr_stop(struct dm_link *link)
{
	struct keel_msg m = {.label = DM_STOP};
	int status = -1;
	int32_t r = keel_call(link->control, &m, DM_WAIT_US);

	if (r == 0)
		r = keel_task_wait(link->task, &status, DM_WAIT_US);
	if (r < 0)
		keel_task_kill(link->task);
	keel_task_wait(link->task, &status, DM_WAIT_US);
	keel_handle_close(link->task);
	keel_handle_close(link->console);
	keel_handle_close(link->control);
	*link = (struct dm_link){0};
	return r < 0 ? r : status;
}
