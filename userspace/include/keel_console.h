/**
 * @file keel_console.h
 * @brief Slice 6's user-space protocols: the console server and its
 * clients, the drivers and the console server, the device manager and
 * the drivers, and the root task and the device manager.
 *
 * Who talks to whom. The root task starts the device manager (devmgr)
 * and hands it its hardware capabilities (DM_HELLO). devmgr is the one
 * program that knows which hardware exists; it derives for each driver
 * only its own lines, ports and pages, starts the drivers (serial, kbd)
 * and the console server, and watches each with TASK_NOTIFY. devmgr
 * creates every IPC object that must outlive a driver, so a driver's
 * death or restart invalidates no other task's handles: the console's
 * client endpoint, each driver's request endpoint and boot endpoint, the
 * console's input notification and each driver's state page.
 *
 *     client --CON_WRITE/CON_READ--> console --DRV_WRITE/DRV_READ--> driver
 *     driver --input bit (notification)--> console
 *     driver --DRV_HELLO (boot endpoint)--> devmgr     (its capabilities)
 *     console --hung bit (notification)--> devmgr     (kill and restart)
 *
 * How a program finds the console. A program's spawner gives it the
 * console endpoint as its one spawn handle (keel_spawn.give, rights
 * KEEL_RIGHT_SEND) and sets CONSOLE_ARG in its argument. A program that
 * wants its output on the console calls console_attach(arg) first: from
 * then on printf() writes through the console server, and falls back to
 * DEBUG_WRITE if the server is gone. A program that does not (every test
 * program) prints with DEBUG_WRITE, the kernel's debug path. The bit,
 * not the handle's type, decides: test programs are given endpoints of
 * their own as KEEL_SPAWN_GIVEN too.
 *
 * The restart protocol (console server and drivers).
 *
 * 1. Every request the console sends a driver (DRV_WRITE, DRV_READ) is a
 *    call carrying a sequence number in word[0]: 1, 2, 3... per driver,
 *    never reused. The console keeps a request until the driver's reply
 *    with the same number comes back (acknowledged); only then does it
 *    send the next one to that driver. A reply is the acknowledgement.
 * 2. The driver keeps its progress in a state page (struct drv_state)
 *    that devmgr allocated from KEEL_ROOT_MEMORY and maps into every
 *    incarnation of that driver: the page outlives the driver. done_seq
 *    is the last request completed and answer its reply; cur_seq the
 *    request being worked on and how far it got (for a write: the bytes
 *    already handed to the device, counted from where it began).
 * 3. Completing a request ends with one aligned 32-bit store, done_seq =
 *    seq: the commit point. Everything the request changed before it is
 *    either re-derivable from the page (a read's input-ring tail) or
 *    recorded as progress, so doing the request again from the record
 *    does nothing twice.
 * 4. If the driver dies (the console's call gives KEEL_ERR_GONE) or
 *    hangs (the call times out: the console signals devmgr, which kills
 *    it with TASK_KILL), devmgr starts a new incarnation with the same
 *    capabilities and the same state page, and the console sends the
 *    unacknowledged request again, unchanged. The request endpoint is
 *    devmgr's, so the call simply waits there for the new incarnation.
 * 5. The new incarnation answers a request it finds by number:
 *    seq == done_seq: it was done before the crash; answer it from the
 *    page without doing it again. seq == cur_seq: it was begun; go on
 *    from the recorded progress. Otherwise it is new: begin it.
 *
 * Why this is exactly once. A request is done at most once because a
 * second delivery of the same number finds either its commit (rule 5,
 * first case: nothing is redone) or its progress (second case: only what
 * was not done is done); a number is never reused, so an old request
 * cannot be mistaken for a new one. It is done at least once because
 * the console keeps it until the reply with its number arrives, and a
 * reply is sent only after the commit; lost replies, crashes and hangs
 * all end in a resend. In order: the console has at most one request
 * outstanding per driver (a window of one), so every unacknowledged
 * request (at most that one) is resent in order, and a driver never sees
 * request n+1 before n is committed. Clients see a delay, not an error.
 *
 * The limit of the promise: it holds for what the driver records in its
 * page. Handing a byte to a device and recording that it was handed are
 * two steps; a driver killed between them repeats that one byte (no
 * device without transactions can do better). The serial driver makes
 * the window small: a write's bytes go into the page's transmit ring
 * (one store of the ring's head commits each chunk, so progress is
 * exact), the request is done when the ring has drained past them, and
 * only the drain, a byte at a time to the UART, has the one-byte window.
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel_user.h>

/* -- Finding the console ---------------------------------------------- */

/** @brief Set in a program's argument: KEEL_SPAWN_GIVEN is the console endpoint. */
#define CONSOLE_ARG (1u << 31)

/**
 * @brief If @p arg has CONSOLE_ARG, send printf() output to the console
 * server through KEEL_SPAWN_GIVEN from now on.
 * @return @p arg without CONSOLE_ARG (the program's own argument).
 */
uint32_t console_attach(uint32_t arg);
/** @brief The console endpoint printf() uses, or 0 (DEBUG_WRITE). */
keel_handle_t console_handle(void);
/**
 * @brief Write @p len bytes (any length) to the console @p con, in
 * messages of KEEL_MSG_BUF_MAX; over the rate limit it waits and tries
 * again (at most CONSOLE_RETRY_US in all).
 * @return bytes written, or the first error (from the call or the server).
 */
int32_t console_write(keel_handle_t con, const void *buf, uint32_t len);
/**
 * @brief Read up to @p len (1..KEEL_MSG_BUF_MAX) bytes of input from @p con,
 * waiting at most @p timeout_us for the first one.
 * @return bytes read (0: none came in time), or an error.
 */
int32_t console_read(keel_handle_t con, void *buf, uint32_t len, uint32_t timeout_us);

/** @brief printf()'s way out: false if the bytes must go to DEBUG_WRITE instead. */
bool console_out(const char *buf, uint32_t len);

/** @brief How long console_write() keeps trying while over the rate limit. */
#define CONSOLE_RETRY_US 5000000u

/* -- Clients to the console server ------------------------------------ */

/* [con_labels] */
/**
 * @brief What a client asks of the console server; each is an IPC_CALL
 * on the console endpoint. The reply's label is CON_REPLY and word[0]
 * its result: a count, or a negative enum keel_error. A request that is
 * not a call (no reply right) is dropped. Errors: KEEL_ERR_INVALID (an
 * unknown label, a length of 0, handles where none belong, more than one
 * handle), KEEL_ERR_RANGE (more than KEEL_MSG_BUF_MAX bytes sent, or
 * asked for), KEEL_ERR_WRONG_TYPE and KEEL_ERR_DENIED (CON_READ's handle
 * is not a notification one may signal), KEEL_ERR_OVER_RATE (the client
 * wrote more than its share: wait and try again; nothing was written).
 * Every handle a request brings that the server does not keep is closed.
 */
enum con_label {
	CON_WRITE = 0xC001, /**< buf: 1..KEEL_MSG_BUF_MAX bytes. Reply: bytes written. */
	CON_READ = 0xC002,  /**< word[0]: most bytes (1..KEEL_MSG_BUF_MAX), room at buf;
	                         optional handle[0]: a notification (SEND) the server
	                         signals with CON_INPUT_READY when input arrives after an
	                         empty answer. Reply: bytes in buf (0: none yet). */
	CON_REPLY = 0xC0FF, /**< The label of every reply. */
};
/* [con_labels] */

/** @brief The bit a reader's notification gets when input arrives. */
#define CON_INPUT_READY 0x1u
/** @brief Bytes a client may write per second, and at once (its bucket). */
#define CON_RATE_BYTES  16384u
#define CON_BURST_BYTES 8192u

/* -- The console server and the drivers -------------------------------- */

/* [drv_labels] */
/**
 * @brief Requests on a driver's request endpoint (from the console) and
 * its boot endpoint (to devmgr). DRV_WRITE and DRV_READ carry the
 * sequence number in word[0] (the restart protocol above); the reply has
 * the same label, word[0] the same number and word[1] the result (a
 * count or an error). A driver that does not do a request answers
 * KEEL_ERR_NOT_IMPLEMENTED; a number that is neither done_seq, cur_seq
 * nor new is KEEL_ERR_INVALID.
 */
enum drv_label {
	DRV_HELLO = 0xD001, /**< Driver to devmgr, a call on its boot endpoint: word[0] the
	                         batch of handles it wants (0, 1, ...). Reply: word[0] how
	                         many handles in all, word[1] drv_flags, word[2] the bits
	                         to signal input with, handles: that batch of
	                         KEEL_MSG_HANDLES. The handles' order is the driver's
	                         (drv_handle). */
	DRV_WRITE = 0xD002, /**< word[0] seq; buf: 1..KEEL_MSG_BUF_MAX bytes to output. */
	DRV_READ = 0xD003,  /**< word[0] seq, word[1] most bytes; reply: buf the input. */
};
/* [drv_labels] */

/** @brief What DRV_HELLO's handles are, in order, for every driver. */
enum drv_handle {
	DRV_H_REQUEST = 0, /**< Its request endpoint (RECV). */
	DRV_H_STATE = 1,   /**< Its state page (frames, MAP | WRITE). */
	DRV_H_INPUT = 2,   /**< The console's input notification (SEND). */
	DRV_H_HW = 3,      /**< The first of its hardware capabilities, as devmgr's table. */
};
/** @brief What DRV_HELLO's handles are for the console server, in order. */
enum con_handle {
	CON_H_CLIENTS = 0, /**< The client endpoint (RECV). */
	CON_H_INPUT = 1,   /**< Its input notification (RECV), which drivers signal. */
	CON_H_DEVMGR = 2,  /**< devmgr's notification (SEND), for DM_HUNG_BIT. */
	CON_H_VGA = 3,     /**< The VGA text page (device memory, MAP | WRITE). */
	CON_H_SERIAL = 4,  /**< The serial role's request endpoint (SEND). */
	CON_H_KBD = 5,     /**< The keyboard's request endpoint (SEND), if it runs. */
};
/** @brief The most handles DRV_HELLO hands one program. */
#define DRV_HANDLES_MAX 8

/** @brief DRV_HELLO's word[1]. */
enum drv_flags {
	DRV_FLAG_NO_INPUT = 1u << 0, /**< Another reads this device's input (the kernel
	                                  monitor reads COM1): output only. */
};

/** @brief The bits drivers signal on the console's input notification. */
enum con_input_bits {
	CON_BIT_SERIAL = 1u << 0, /**< The serial driver has input. */
	CON_BIT_KBD = 1u << 1,    /**< The keyboard driver has input. */
};

/** @brief The most bytes one ring of the state page holds (a power of two). */
#define DRV_RING 1024u

/* [drv_state] */
/**
 * @brief A driver's state page: what one incarnation leaves the next. devmgr
 * zeroes it once and sets magic; only the driver writes the rest. Ring
 * indexes run freely (head - tail is the count; index & (DRV_RING - 1)).
 * Invariant: answer and answer_buf are done_seq's reply, needed only
 * until request done_seq + 1 arrives (the console's window is one);
 * out_head - begin is how much of write cur_seq is in the output ring.
 */
struct drv_state {
	uint32_t magic;              /**< DRV_STATE_MAGIC: devmgr set the page up. */
	uint32_t incarnation;        /**< devmgr's count of starts; 1 for the first. */
	uint32_t done_seq;           /**< The commit: the last request completed. */
	uint32_t cur_seq;            /**< The write begun, if not done_seq. */
	uint32_t begin;              /**< cur_seq's start: the output head when it began. */
	int32_t answer;              /**< done_seq's word[1]. */
	uint32_t answer_len;         /**< Bytes of answer_buf in done_seq's reply. */
	uint32_t tail_seq;           /**< The read that set next_tail (rolled forward once it is
	                           committed: tail_seq == done_seq). */
	uint32_t next_tail;          /**< in_tail after tail_seq's read. */
	uint32_t in_head, in_tail;   /**< Input ring: the interrupt side adds at head. */
	uint32_t out_head, out_tail; /**< Output ring: requests add, the device drains. */
	uint32_t in_dropped;         /**< Input lost to a full ring. */
	uint32_t shift;              /**< The keyboard driver's shift state. */
	uint8_t answer_buf[KEEL_MSG_BUF_MAX];
	uint8_t in_ring[DRV_RING];
	uint8_t out_ring[DRV_RING];
};
/* [drv_state] */
_Static_assert(sizeof(struct drv_state) <= KEEL_PAGE_SIZE, "a state page is one page");

/** @brief drv_state.magic once devmgr set the page up. */
#define DRV_STATE_MAGIC 0x4b647276u

/** @brief The driver's own notification bit for its interrupt line. */
#define DRV_IRQ_BIT 0x1u

/** @brief Where drivers and the console map what devmgr gives them. */
#define DRV_STATE_ADDR 0x40000000u
#define CON_VGA_ADDR   0x40010000u

/** @brief How long the console waits for a driver's reply before calling it hung. */
#define DRV_TIMEOUT_US 2000000u

/* -- The root task and devmgr ----------------------------------------- */

/* [dm_labels] */
/**
 * @brief devmgr's calls to its spawner on the bootstrap endpoint it was
 * given (each answered by a reply), and the requests its spawner may make
 * on the control endpoint DM_READY hands back.
 */
enum dm_label {
	DM_HELLO = 0xDE01,   /**< word[0] the batch (0, 1). Reply batch 0: the interrupt-line,
	                         I/O-port, device-memory and memory capabilities, word[0]
	                         dm_flags. Batch 1: the archive capability and, with
	                         DM_FLAG_TEST_DRIVER, the test driver's capability; buf the
	                         program that serves the serial role instead of "serial". */
	DM_READY = 0xDE02,   /**< handle[0]: the console endpoint (SEND | GRANT), handle[1]
	                         the control endpoint (SEND). Reply: an empty message. */
	DM_STATS = 0xDE03,   /**< Control. Reply word[0] restarts, word[1] hangs, word[2]
	                         drivers running. */
	DM_STOP = 0xDE04,    /**< Control. Ends the console and every driver, replies, exits. */
	DM_RESTART = 0xDE05, /**< Control. word[0]: a driver's role; it is killed, and so
	                          started again as if it had crashed. Reply word[0]: 0 or
	                          an error (KEEL_ERR_INVALID: not a running driver). */
};
/* [dm_labels] */

/** @brief The roles devmgr starts, and the bits of its own notification. */
enum dm_role {
	DM_ROLE_SERIAL = 0,  /**< The serial driver (or the test driver in its place). */
	DM_ROLE_KBD = 1,     /**< The keyboard driver. */
	DM_ROLE_CONSOLE = 2, /**< The console server. */
	DM_ROLES = 3,
};
/** @brief devmgr's notification: role @p r ended (TASK_NOTIFY). */
#define DM_DEATH_BIT(r) (1u << (r))
/** @brief devmgr's notification: the console found role @p r hung (it signals this). */
#define DM_HUNG_BIT(r) (1u << (8 + (r)))

/** @brief dm_flags: how the root task wants devmgr to run. */
enum dm_flags {
	DM_FLAG_MONITOR = 1u << 0, /**< The kernel monitor reads COM1 (KEEL_ROOT_ARG_MONITOR). */
	DM_FLAG_NO_KBD = 1u << 1,  /**< Start no keyboard driver. */
	DM_FLAG_TEST_DRIVER = 1u << 2, /**< The serial role is a test driver (batch 1). */
};

/** @brief What devmgr_start() needs. */
struct dm_config {
	uint32_t flags;             /**< enum dm_flags. */
	const char *serial_program; /**< With DM_FLAG_TEST_DRIVER: its program. */
	keel_handle_t test_handle;  /**< With DM_FLAG_TEST_DRIVER: its extra capability. */
};

/** @brief What devmgr_start() returns. */
struct dm_link {
	keel_handle_t task;    /**< devmgr's task. */
	keel_handle_t console; /**< The console endpoint (SEND | GRANT). */
	keel_handle_t control; /**< devmgr's control endpoint (SEND). */
};

/**
 * @brief Spawn devmgr, answer its DM_HELLO calls with the caller's
 * hardware, memory and archive capabilities (KEEL_ROOT_*), and wait for
 * DM_READY: the console and drivers run then.
 * @return 0, or an error (the spawn's, or KEEL_ERR_TIMED_OUT; devmgr is
 * killed then).
 */
int32_t devmgr_start(const struct dm_config *cfg, struct dm_link *out);
/** @brief Ask devmgr to stop everything, wait for it, close @p link's handles. */
int32_t devmgr_stop(struct dm_link *link);

/** @brief How long devmgr_start() waits for each step. */
#define DM_WAIT_US 20000000u

#endif
