/*
 * chan.h - one frame channel between a guest agent and Dom-0, whatever
 * carries it.
 *
 * A chan carries migwire frames over a byte stream.  The framing (a bounded
 * output queue, partial writes, the incremental reader) lives in chan.c and
 * is the same for every backend; a backend only moves bytes:
 *
 *   unix   a Unix stream socket (the embedded default, tests, non-Xen hosts)
 *   vchan  libxenvchan: the guest serves at the relative xenstore path
 *          CHAN_VCHAN_PATH, Dom-0 connects to /local/domain/<id>/CHAN_VCHAN_PATH
 *
 * Everything is non-blocking and meant for an event loop: watch chan_fd()
 * for reading, and for writing while chan_want_write() is true.  Library
 * code: no logging, no exit; errors come back as -1 and chan_error().
 */
#ifndef CHAN_H
#define CHAN_H

#include <stddef.h>
#include <stdint.h>

#define CHAN_VCHAN_PATH		"data/migbridge/vchan"
#define CHAN_VCHAN_READ_MIN	1024	/* guest's read ring (bridge -> agent) */
#define CHAN_VCHAN_WRITE_MIN	2048	/* guest's write ring (agent -> bridge) */
#define CHAN_OUTQ_MAX		(256 * 1024) /* queued output before sends fail */

struct chan;

/* Called by chan_read() once per whole frame; payload is valid only during
 * the call.  Return 0 to go on, -1 to stop reading (chan_read returns -1
 * with chan_error() "stopped by handler"). */
typedef int (*chan_frame_cb)(void *arg, uint32_t type, const uint8_t *payload,
    uint32_t len);

/*
 * Unix backend.  chan_unix_connect() connects to a listening socket (fails
 * at once if nobody listens).  chan_unix_listen() creates a listening socket
 * (replacing a stale one at path, mode set by umask) and returns its fd;
 * chan_unix_accept() takes one peer from it as a chan.  chan_unix_adopt()
 * wraps a connected stream socket (socketpair, tests).  All return NULL
 * (or -1) with a message in err.
 */
struct chan	*chan_unix_connect(const char *path, char *err, size_t errlen);
int		 chan_unix_listen(const char *path, char *err, size_t errlen);
struct chan	*chan_unix_accept(int lfd, char *err, size_t errlen);
struct chan	*chan_unix_adopt(int fd, char *err, size_t errlen);

/*
 * vchan backend.  chan_vchan_serve() is the guest side: it creates the
 * ring at the relative path CHAN_VCHAN_PATH for peer domain 0 and returns
 * at once; the peer may connect later (chan_is_open() is 2 until then).
 * chan_vchan_connect() is Dom-0's side, for the guest domid.  Both set the
 * vchan non-blocking.  Where libxenvchan is unusable (no Xen), they fail
 * with a message.
 */
struct chan	*chan_vchan_serve(char *err, size_t errlen);
struct chan	*chan_vchan_connect(uint32_t domid, char *err, size_t errlen);

/*
 * virtio backend (KVM/QEMU guests).  chan_virtio_open() opens the
 * virtio-serial port named portname (found under /sys/class/virtio-ports)
 * non-blocking.  chan_is_open() is 2 while the host end (QEMU's chardev)
 * has no client: the port then polls readable and hung up, so watch it on
 * a timer, not the fd, until chan_is_open() is 1.  A read that finds the
 * host gone returns -1 ("host end not connected"): close, re-open, wait,
 * and say HELLO again.  chan_virtio_adopt() wraps an fd (tests: a
 * socketpair stands in for the port).  Dom-0's end of the same channel is
 * chan_unix_connect() on the chardev's socket.  NULL with a message in err.
 */
struct chan	*chan_virtio_open(const char *portname, char *err, size_t errlen);
struct chan	*chan_virtio_adopt(int fd, char *err, size_t errlen);

/* The fd to watch for readability (and writability while chan_want_write). */
int		 chan_fd(const struct chan *);

/*
 * Queue a frame (type and payload, len <= WIRE_MAX_PAYLOAD) and write as
 * much as the peer takes now.  Returns 0, or -1 if the channel is closed
 * or the queue would exceed CHAN_OUTQ_MAX (the peer does not read).
 */
int		 chan_send(struct chan *, uint32_t type, const void *payload, uint32_t len);
/* Queue an already encoded frame (from a wire_encode_*). */
int		 chan_send_frame(struct chan *, const uint8_t *frame, size_t len);
/* Write queued output; 0 when done or would block, -1 on error. */
int		 chan_flush(struct chan *);
/* 1 while output is queued: watch the fd for writing and call chan_flush. */
int		 chan_want_write(const struct chan *);

/*
 * Read what is available and call cb for every whole frame.  Call it when
 * chan_fd() is readable (a vchan acknowledges the event here).  Returns 0 if
 * the channel is still usable, -1 on end of stream, error, or a framing
 * violation (oversized len): the caller then closes the channel.
 */
int		 chan_read(struct chan *, chan_frame_cb cb, void *arg);

/* 1 connected, 2 server waiting for its peer, 0 closed. */
int		 chan_is_open(const struct chan *);
/* The last error's text ("" if none). */
const char	*chan_error(const struct chan *);
/* "unix", "vchan" or "virtio". */
const char	*chan_kind(const struct chan *);

/* Close the channel (vchan server: removes its xenstore keys) and free it. */
void		 chan_close(struct chan *);
/*
 * Drop a channel known to be dead without closing the underlying object:
 * a vchan whose guest was migrated must not be closed (a guest kernel BUG,
 * see ARCHITECTURE.md); its memory and event channel are leaked on purpose.
 * For unix this is chan_close().
 */
void		 chan_abandon(struct chan *);

#endif /* CHAN_H */
