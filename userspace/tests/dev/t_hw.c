/*
 * t_hw.c - I/O ports and device memory as capabilities.
 *
 * This program, spawned by the kernel in the root task's place, holds
 * KEEL_ROOT_IOPORT and KEEL_ROOT_DEVICE. Ports: once enabled, a
 * capability's ports answer in and out directly (the clock's seconds
 * register); a port the task was not given, or one whose capability was
 * closed or revoked, ends the task with a fault and nothing else; the
 * kernel's own ports are never given; ranges may not overlap. Device
 * memory: the VGA text page maps uncached and takes a character; it maps
 * with no more rights than its capability carries (a read-only one is
 * refused a writable mapping, and a write through a read-only mapping
 * ends the task), never executable, once per capability, and the
 * space's own calls may not unmap it.
 *
 * The argument picks a case (1..N) or all of them (0); the exit status is
 * the number of failed checks.
 */
#include "dev_test.h"

static int32_t ports(uint32_t first, uint32_t count, uint32_t rights)
{
	return keel_cap_derive(KEEL_ROOT_IOPORT, rights, KEEL_RANGE(first, count));
}

/* Enabled, the clock's ports answer: its seconds are a BCD number < 60. */
static void case_ports_answer(void)
{
	int32_t io = ports(RTC_INDEX, 2, KEEL_RIGHT_ALL);
	struct keel_cap_info i;

	CHECK_EQ(keel_ioport_enable(io), 0);
	uint8_t sec = rtc_read(0);
	CHECK((sec & 0x0f) < 10 && sec < 0x60);
	CHECK_EQ(keel_cap_info(io, &i), 0);
	CHECK_EQ(i.type, KEEL_OBJ_IOPORT);
	CHECK_EQ(i.range, KEEL_RANGE(RTC_INDEX, 2));
	CHECK_EQ(i.mapped, 1); /* enabled */
	CHECK_EQ(keel_handle_close(io), 0);
}

/* Each misuse of IOPORT_ENABLE, with its error. */
static void case_bad_ports(void)
{
	int32_t pic = ports(0x20, 2, KEEL_RIGHT_ALL), pit = ports(0x43, 1, KEEL_RIGHT_ALL);
	int32_t ro = ports(RTC_INDEX, 2, KEEL_RIGHT_READ), io = ports(RTC_INDEX, 2, KEEL_RIGHT_ALL);
	int32_t half = ports(RTC_DATA, 1, KEEL_RIGHT_ALL), note = keel_notify_create();

	CHECK_EQ(keel_ioport_enable(pic), KEEL_ERR_DENIED); /* the interrupt controller */
	CHECK_EQ(keel_ioport_enable(pit), KEEL_ERR_DENIED); /* the timer */
	CHECK_EQ(keel_ioport_enable(ro), KEEL_ERR_DENIED);  /* no WRITE */
	CHECK_EQ(keel_ioport_enable(note), KEEL_ERR_WRONG_TYPE);
	CHECK_EQ(keel_ioport_enable(0x7fff), KEEL_ERR_BAD_HANDLE);
	CHECK_EQ(ports(0xfff0, 0x20, KEEL_RIGHT_ALL), KEEL_ERR_RANGE); /* past the space */
	CHECK_EQ(keel_ioport_enable(io), 0);
	CHECK_EQ(keel_ioport_enable(io), KEEL_ERR_BUSY);   /* enabled already */
	CHECK_EQ(keel_ioport_enable(half), KEEL_ERR_BUSY); /* overlaps */
	CHECK_EQ(keel_handle_close(io), 0);
	CHECK_EQ(keel_ioport_enable(half), 0); /* the overlap is gone */
	int32_t hs[] = {pic, pit, ro, half, note};
	for (unsigned i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
		CHECK_EQ(keel_handle_close(hs[i]), 0);
}

/* A task using a port it may not use ends with a fault; only it. */
static void case_port_faults(void)
{
	int32_t io = ports(RTC_INDEX, 2, KEEL_RIGHT_ALL);

	CHECK_EQ(ipc_reap(dev_peer(DEVPEER_PORT_NONE, 0, 0, 0)), PORT_FAULT);
	CHECK_EQ(ipc_reap(dev_peer(DEVPEER_PORT_OUTSIDE, 0, io, KEEL_RIGHT_ALL)), PORT_FAULT);
	CHECK_EQ(ipc_reap(dev_peer(DEVPEER_PORT_CLOSED, 0, io, KEEL_RIGHT_ALL)), PORT_FAULT);
	CHECK_EQ(keel_ioport_enable(io), 0); /* ours still work */
	CHECK((rtc_read(0) & 0x0f) < 10);
	CHECK_EQ(keel_handle_close(io), 0);
}

/* Revoking a driver's ports takes them at once: its next in faults. */
static void case_revoke_ports(void)
{
	int32_t io = ports(RTC_INDEX, 2, KEEL_RIGHT_ALL);
	int32_t child = dev_peer(DEVPEER_PORT_LOOP, 0, io, KEEL_RIGHT_ALL);

	ipc_settle(); /* it has enabled them and is between two reads */
	CHECK_EQ(keel_cap_revoke(io), 0);
	CHECK_EQ(ipc_reap(child), PORT_FAULT);
	CHECK_EQ(keel_handle_close(io), 0);
}

/* The VGA text page maps uncached, writable, and takes a character. */
static void case_vga_map(void)
{
	int32_t vga = keel_cap_derive(KEEL_ROOT_DEVICE, KEEL_RIGHT_ALL, KEEL_RANGE(VGA_PAGE, 1));
	volatile uint16_t *cell = (volatile uint16_t *)MAP_AT + 80 * 24 + 79; /* bottom right */
	struct keel_cap_info i;

	CHECK_EQ(keel_device_map(vga, (void *)MAP_AT, KEEL_PROT_WRITE), 0);
	uint16_t was = *cell;
	*cell = 0x0700 | 'K';
	CHECK_EQ(*cell, 0x0700 | 'K');
	*cell = was;
	CHECK_EQ(keel_cap_info(vga, &i), 0);
	CHECK_EQ(i.type, KEEL_OBJ_DEVICE);
	CHECK_EQ(i.range, KEEL_RANGE(VGA_PAGE, 1));
	CHECK_EQ(i.mapped, MAP_AT);
	CHECK_EQ(keel_device_map(vga, (void *)MAP_OTHER, 0), KEEL_ERR_BUSY); /* once */
	CHECK_EQ(keel_mem_unmap((void *)MAP_AT, 4096), KEEL_ERR_DENIED);     /* kept */
	CHECK_EQ(keel_device_unmap(vga), 0);
	CHECK_EQ(keel_device_unmap(vga), KEEL_ERR_NOT_FOUND);
	CHECK_EQ(keel_handle_close(vga), 0);
}

/* No more rights than the capability carries: each refusal, and a write
 * through a read-only mapping ends the writer. */
static void case_device_rights(void)
{
	int32_t vga = keel_cap_derive(KEEL_ROOT_DEVICE, KEEL_RIGHT_ALL, KEEL_RANGE(VGA_PAGE, 1));
	int32_t ro = keel_cap_derive(vga, KEEL_RIGHT_READ | KEEL_RIGHT_MAP | KEEL_RIGHT_GRANT, 0);
	int32_t nomap = keel_cap_derive(vga, KEEL_RIGHT_READ | KEEL_RIGHT_WRITE, 0);

	CHECK_EQ(keel_device_map(ro, (void *)MAP_AT, KEEL_PROT_WRITE), KEEL_ERR_DENIED);
	CHECK_EQ(keel_device_map(vga, (void *)MAP_AT, KEEL_PROT_EXEC), KEEL_ERR_DENIED);
	CHECK_EQ(keel_device_map(nomap, (void *)MAP_AT, 0), KEEL_ERR_DENIED);
	CHECK_EQ(keel_device_map(vga, (void *)MAP_AT, 0x80), KEEL_ERR_INVALID);
	CHECK_EQ(keel_device_map(vga, (void *)(MAP_AT + 1), 0), KEEL_ERR_ALIGN);
	CHECK_EQ(keel_cap_derive(KEEL_ROOT_DEVICE, KEEL_RIGHT_ALL, KEEL_RANGE(90, 10)),
	         KEEL_ERR_RANGE);
	CHECK_EQ(keel_device_map(ro, (void *)MAP_AT, 0), 0); /* read-only is allowed */
	CHECK_EQ(ipc_reap(dev_peer(DEVPEER_WRITE_RO, 0, ro, KEEL_RIGHT_READ | KEEL_RIGHT_MAP)),
	         WRITE_FAULT);
	CHECK_EQ(keel_handle_close(vga), 0); /* and what was derived: unmapped */
	CHECK_EQ(keel_device_unmap(ro), KEEL_ERR_BAD_HANDLE);
}

static const struct utest_case cases[] = {
    {"ports_answer", case_ports_answer}, {"bad_ports", case_bad_ports},
    {"port_faults", case_port_faults},   {"revoke_ports", case_revoke_ports},
    {"vga_map", case_vga_map},           {"device_rights", case_device_rights},
};

int main(uint32_t which)
{
	return utest_run("t_hw", cases, sizeof(cases) / sizeof(cases[0]), which);
}
