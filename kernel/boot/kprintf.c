/*
 * kprintf.c - the kernel's printf, writing to every console.
 *
 * Each character the formatting engine (fmt.c) produces is collected in a
 * small buffer on the stack and handed to the console in runs, so that a
 * line reaches a slow device in one call rather than character by
 * character.
 */
#include <keel/console.h>
#include <keel/kprintf.h>

struct kprintf_buf {
	char text[64];
	size_t used;
};

static void kprintf_flush(struct kprintf_buf *b)
{
	console_write(b->text, b->used);
	b->used = 0;
}

static void kprintf_sink(void *ctx, char c)
{
	struct kprintf_buf *b = ctx;

	b->text[b->used++] = c;
	if (b->used == sizeof(b->text) || c == '\n')
		kprintf_flush(b);
}

int kvprintf(const char *fmt, va_list ap)
{
	struct kprintf_buf b = {.used = 0};
	int n = kfmt_format(kprintf_sink, &b, fmt, ap);

	kprintf_flush(&b);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
