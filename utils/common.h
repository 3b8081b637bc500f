/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * What the ibbulk_* tools share: the device, the TCP side channel that
 * exchanges endpoint ids and grants (perftest's "Ethernet" exchange), a
 * digest and a clock.
 */
#ifndef IBBULK_UTILS_COMMON_H
#define IBBULK_UTILS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <infiniband/verbs.h>

/* Set by each tool: the name its messages start with. */
extern const char *tool_name;

void die(const char *what, int err) __attribute__((noreturn));
struct ibv_context *open_device(const char *name);

/*
 * The side channel: the client (with @host) connects, retrying for two
 * minutes while the server starts; the server accepts one client. @peer
 * is the other side's address (IPv6 or IPv4; an IPv4 client of the dual-stack
 * server reads as v4-mapped IPv6) with port 0, ready for ibv_bulk_connect().
 */
int tcp_socket(const char *host, const char *port, struct sockaddr_storage *peer);
void xfer(int fd, void *buf, size_t len, bool out);

/* What the server tells the client, in network byte order. */
struct hello {
	uint32_t ep_id;
	uint32_t pad;
	uint64_t grant_id;
};

/* --op write|read|send: 0 and the opcode, or -1 for another name. */
int op_from_name(const char *name, uint32_t *op);
const char *op_name(uint32_t op);

uint64_t fnv1a(const unsigned char *p, size_t len);
double now(void);
/* New anonymous memory whose pages exist (written with @fill). */
void *written_memory(size_t size, int fill);
/* The median of @v[0..@n) (sorts @v). */
double median(double *v, unsigned int n);

#endif /* IBBULK_UTILS_COMMON_H */
