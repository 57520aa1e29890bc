/*
 * time.c - the x86 clock and tick: TSC, local APIC timer, PIT.
 *
 * Calibration runs once at boot with interrupts off: the PIT's channel 2
 * times CALIBRATE_MS milliseconds while the TSC counts up and the APIC
 * timer counts down. Their counts over that known interval give their
 * rates; of three such windows the median counts, so one window stretched
 * by a busy host (or an emulator's hiccup) does not skew the clock. From then on the clock is the TSC scaled to microseconds, and
 * the tick is the APIC timer in periodic mode, or the PIT's channel 0 on
 * a CPU without an APIC (or with `tick=pit` on the command line).
 */
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/irq.h>
#include <keel/kprintf.h>
#include <keel/panic.h>
#include <keel/timer.h>

#include "x86.h"

#define CALIBRATE_MS    20
#define CALIBRATE_COUNT (PIT_HZ * CALIBRATE_MS / 1000) /* 23863: fits channel 2's 16 bits */
#define CALIBRATE_RUNS  3 /* the median of three windows survives one disturbed window */

static uint64_t tsc_base;   /* TSC at calibration: the clock's zero */
static uint32_t tsc_khz;    /* TSC ticks per millisecond */
static uint32_t apic_per_s; /* APIC timer counts per second (after its divider) */
static bool apic_tick;      /* the tick comes from the APIC, not the PIT */
static unsigned tick_hz;

/* [calibrate] */
/* Time one PIT window; return the TSC and APIC counts it took. */
static void measure_window(bool with_apic, uint32_t *tsc_per_ms, uint32_t *apic_per_s_out)
{
	uint32_t apic_start = with_apic ? lapic_timer_calibrate_begin() : 0;
	uint64_t tsc_start = rdtsc();

	pit_oneshot_start(CALIBRATE_COUNT);
	while (!pit_oneshot_done())
		;
	uint64_t tsc_end = rdtsc();
	uint32_t apic_end = with_apic ? lapic_timer_read() : 0;

	*tsc_per_ms = (uint32_t)((tsc_end - tsc_start) / CALIBRATE_MS);
	*apic_per_s_out = (apic_start - apic_end) * (1000 / CALIBRATE_MS);
}

static uint32_t median3(const uint32_t v[3])
{
	uint32_t lo = v[0] < v[1] ? v[0] : v[1], hi = v[0] < v[1] ? v[1] : v[0];
	return v[2] < lo ? lo : v[2] > hi ? hi : v[2];
}

static void calibrate(bool with_apic)
{
	uint32_t tsc[CALIBRATE_RUNS], apic[CALIBRATE_RUNS];

	for (unsigned i = 0; i < CALIBRATE_RUNS; i++)
		measure_window(with_apic, &tsc[i], &apic[i]);
	tsc_khz = median3(tsc);
	apic_per_s = median3(apic);
	tsc_base = rdtsc();
}
/* [calibrate] */

/* [arch_clock_us] */
uint64_t arch_clock_us(void)
{
	if (tsc_khz == 0)
		return 0; /* before calibration */
	return arch_ticks_to_us(rdtsc() - tsc_base);
}

uint64_t arch_ticks_to_us(uint64_t ticks)
{
	if (tsc_khz == 0)
		return 0;
	/* Whole milliseconds, then the rest: ticks * 1000 would overflow after
	 * months of uptime; this split never does. */
	return ticks / tsc_khz * 1000 + ticks % tsc_khz * 1000 / tsc_khz;
}

uint64_t arch_clock_ticks(void)
{
	return rdtsc();
}
/* [arch_clock_us] */

static void pit_tick(unsigned irq, void *ctx)
{
	(void)irq, (void)ctx;
	timer_tick();
}

void arch_time_init(unsigned hz)
{
	uint32_t r[4];

	cpuid_leaf(1, r);
	if (!(r[3] & (1u << 4)))
		panic("time: this CPU has no time-stamp counter");
	bool apic = kconfig.tick != CONFIG_TICK_PIT && lapic_init();
	calibrate(apic);
	tick_hz = hz;
	if (apic && apic_per_s >= hz) {
		apic_tick = true;
		lapic_timer_start(apic_per_s / hz, T_LAPIC_TIMER);
	} else {
		pit_start_periodic(hz);
		irq_register(0, pit_tick, 0);
	}
}

void arch_time_describe(void)
{
	kprintf("clock: TSC at %u.%03u MHz; tick: %s at %u Hz", tsc_khz / 1000, tsc_khz % 1000,
	        apic_tick ? "local APIC timer" : "PIT channel 0", tick_hz);
	if (apic_tick)
		kprintf(" (%u counts per tick)", apic_per_s / tick_hz);
	kprintf("\n");
}
