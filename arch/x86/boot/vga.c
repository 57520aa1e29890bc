/*
 * vga.c - the VGA text screen (80x25) as a console.
 *
 * The screen is an array of 16-bit cells at physical 0xB8000: a character
 * in the low byte, its colours in the high byte. Writing past the last
 * line scrolls everything up by one. The hardware cursor follows the
 * text, moved through the CRT controller's index/data ports.
 */
#include <keel/console.h>
#include <keel/string.h>

#include "x86.h"

#define VGA_PHYS   0xb8000
#define VGA_COLS   80
#define VGA_ROWS   25
#define VGA_ATTR   0x0700 /* light grey on black */
#define CRTC_INDEX 0x3d4
#define CRTC_DATA  0x3d5

static volatile uint16_t *screen;
static unsigned row, col;

static void vga_move_cursor(void)
{
	uint16_t pos = (uint16_t)(row * VGA_COLS + col);

	outb(CRTC_INDEX, 0x0f);
	outb(CRTC_DATA, pos & 0xff);
	outb(CRTC_INDEX, 0x0e);
	outb(CRTC_DATA, pos >> 8);
}

static void vga_scroll(void)
{
	for (unsigned i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
		screen[i] = screen[i + VGA_COLS];
	for (unsigned i = 0; i < VGA_COLS; i++)
		screen[(VGA_ROWS - 1) * VGA_COLS + i] = VGA_ATTR | ' ';
	row = VGA_ROWS - 1;
}

static void vga_putc(char c)
{
	if (c == '\n') {
		col = 0;
		row++;
	} else if (c == '\r') {
		col = 0;
	} else if (c == '\b') {
		if (col > 0)
			col--;
	} else {
		screen[row * VGA_COLS + col] = VGA_ATTR | (uint8_t)c;
		if (++col == VGA_COLS) {
			col = 0;
			row++;
		}
	}
	if (row == VGA_ROWS)
		vga_scroll();
	vga_move_cursor();
}

static const struct console_sink vga_sink = {"vga", vga_putc, 0};

void vga_init(void)
{
	screen = phys_to_virt(VGA_PHYS);
	for (unsigned i = 0; i < VGA_ROWS * VGA_COLS; i++)
		screen[i] = VGA_ATTR | ' ';
	row = col = 0;
	console_register(&vga_sink);
}
