/*
 * keel_io.h - port I/O for drivers (slice 6).
 *
 * A task may use in and out only on the ports of an I/O-port capability
 * it has enabled (keel_ioport_enable()); any other port faults the task.
 * These are the x86 instructions themselves: no system call is made.
 */
#ifndef KEEL_IO_H
#define KEEL_IO_H

#include <stdint.h>

/** @brief Read a byte from I/O port @p port. */
static inline uint8_t keel_inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/** @brief Write byte @p v to I/O port @p port. */
static inline void keel_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

#endif
