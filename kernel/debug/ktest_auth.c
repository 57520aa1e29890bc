/*
 * ktest_auth.c - results the grader can tell from forgeries.
 *
 * A lab's code runs in ring 0 beside the test runner, so it could print a
 * well-formed "ok" line itself. When the grader boots a kernel it passes a
 * fresh random key on the command line (ktest_key=, 32 hex digits). The
 * runner takes it before any lab code runs, erases the copies the kernel
 * keeps (kconfig and the boot command line), and follows every result
 * line it prints with a tag: SipHash-2-4 under that key of the line's
 * sequence number and text. The harness checks each tag; a result line
 * without a valid one counts as a failure. Code in ring 0 can still read
 * the key out of memory, but only by deliberately looking for it, which
 * is then there in the submission for an instructor to see.
 */
#include <keel/bootinfo.h>
#include <keel/config.h>
#include <keel/kprintf.h>
#include <keel/ktest.h>
#include <keel/string.h>

static uint64_t key[2];
static bool keyed;
static uint32_t sequence;

static uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1], v[1] = rotl(v[1], 13), v[1] ^= v[0], v[0] = rotl(v[0], 32);
	v[2] += v[3], v[3] = rotl(v[3], 16), v[3] ^= v[2];
	v[0] += v[3], v[3] = rotl(v[3], 21), v[3] ^= v[0];
	v[2] += v[1], v[1] = rotl(v[1], 17), v[1] ^= v[2], v[2] = rotl(v[2], 32);
}

static void sip_absorb(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v), sip_round(v);
	v[0] ^= m;
}

/* SipHash-2-4 of @p len bytes at @p data, under key[]. */
static uint64_t siphash(const uint8_t *data, size_t len)
{
	uint64_t v[4] = {key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
	                 key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull};
	uint64_t m = 0;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&m, data + i, 8); /* little-endian, as the algorithm reads words */
		sip_absorb(v, m);
	}
	m = (uint64_t)len << 56;
	for (size_t j = 0; i + j < len; j++)
		m |= (uint64_t)data[i + j] << (8 * j);
	sip_absorb(v, m);
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* 16 hex digits at @p s into *@p out; false if they are not. */
static bool hex64(const char *s, uint64_t *out)
{
	*out = 0;
	for (int i = 0; i < 16; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
		             : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
		                                    : 16u;
		if (d == 16)
			return false;
		*out = *out << 4 | d;
	}
	return true;
}

/* Overwrite the value of "ktest_key=" in @p cmdline, wherever it is. */
static void erase_from(char *cmdline)
{
	static const char name[] = "ktest_key=";

	for (char *p = cmdline; p && *p; p++)
		if (strncmp(p, name, sizeof(name) - 1) == 0)
			for (p += sizeof(name) - 1; *p && *p != ' '; p++)
				*p = '*';
}

void ktest_prepare(void)
{
	const char *k = kconfig.ktest_key;

	keyed = strlen(k) == 32 && hex64(k, &key[0]) && hex64(k + 16, &key[1]);
	if (k[0] != '\0' && !keyed)
		kprintf("# ktest: ktest_key= must be 32 lower-case hex digits; results are not "
		        "tagged\n");
	memset(kconfig.ktest_key, 0, sizeof(kconfig.ktest_key));
	erase_from(bootinfo.cmdline);
}

void ktest_auth_line(const char *indent, const char *line)
{
	uint8_t msg[4 + KTEST_LINE_MAX];
	size_t len = strlen(line);

	if (!keyed)
		return;
	len = len > KTEST_LINE_MAX ? KTEST_LINE_MAX : len;
	memcpy(msg, &sequence, 4);
	memcpy(msg + 4, line, len);
	kprintf("%s# keel-auth: %016llx\n", indent, (unsigned long long)siphash(msg, 4 + len));
	sequence++;
}
