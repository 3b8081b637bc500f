// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <infiniband/bulk.h>
#include "common.h"
#include "device.h"

void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", tool_name, what, strerror(err));
	exit(1);
}

void xfer(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n <= 0)
			die(out ? "socket write" : "socket read", n ? errno : EPIPE);
		p += n;
		len -= n;
	}
}

static const char *const op_names[] = {
	[IBV_BULK_OP_WRITE] = "write",
	[IBV_BULK_OP_READ] = "read",
	[IBV_BULK_OP_SEND] = "send",
};

int op_from_name(const char *name, uint32_t *op)
{
	uint32_t i;

	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++) {
		if (op_names[i] && !strcmp(name, op_names[i])) {
			*op = i;
			return 0;
		}
	}
	return -1;
}

const char *op_name(uint32_t op)
{
	return op < sizeof(op_names) / sizeof(op_names[0]) && op_names[op] ?
	       op_names[op] : "?";
}

uint64_t fnv1a(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* @size bytes of new anonymous memory, each byte @fill: its pages exist. */
void *written_memory(size_t size, int fill)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap", errno);
	memset(p, fill, size);
	return p;
}

double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct ibv_context *open_device(const char *name)
{
	struct ibv_context *ctx = find_device(name);

	if (!ctx)
		die(name ? name : "no RDMA device", errno);
	return ctx;
}

/* A connected socket to the first of @host's addresses that answers. */
static int tcp_connect(const char *host, const char *port,
		       struct sockaddr_storage *peer)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai, *a;
	int fd, ret, tries;

	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret) {
		fprintf(stderr, "%s: %s: %s\n", tool_name, host, gai_strerror(ret));
		exit(1);
	}
	/* The server may still be starting: retry for 2 minutes. */
	for (tries = 0;; tries++) {
		for (a = ai; a; a = a->ai_next) {
			fd = socket(a->ai_family, SOCK_STREAM, 0);
			if (fd < 0)
				continue;
			if (!connect(fd, a->ai_addr, a->ai_addrlen)) {
				memcpy(peer, a->ai_addr, a->ai_addrlen);
				freeaddrinfo(ai);
				return fd;
			}
			ret = errno;
			close(fd);
		}
		if (tries == 1200)
			die("connect", ret);
		usleep(100000);
	}
}

/* One client accepted on @port of every IPv6 and IPv4 address. */
static int tcp_accept(const char *port, struct sockaddr_storage *peer)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE };
	socklen_t len = sizeof(*peer);
	int fd, lfd, one = 1, zero = 0, ret;
	struct addrinfo *ai;

	/* Dual stack where the host has IPv6: an IPv4 client reads v4-mapped. */
	hints.ai_family = AF_INET6;
	ret = getaddrinfo(NULL, port, &hints, &ai);
	lfd = ret ? -1 : socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0) {
		if (!ret)
			freeaddrinfo(ai);
		hints.ai_family = AF_INET;
		ret = getaddrinfo(NULL, port, &hints, &ai);
		if (ret) {
			fprintf(stderr, "%s: listen: %s\n", tool_name, gai_strerror(ret));
			exit(1);
		}
		lfd = socket(AF_INET, SOCK_STREAM, 0);
		if (lfd < 0)
			die("socket", errno);
	} else {
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, ai->ai_addr, ai->ai_addrlen) || listen(lfd, 1))
		die("listen", errno);
	freeaddrinfo(ai);
	fd = accept(lfd, (struct sockaddr *)peer, &len);
	if (fd < 0)
		die("accept", errno);
	close(lfd);
	return fd;
}

int tcp_socket(const char *host, const char *port, struct sockaddr_storage *peer)
{
	int fd, one = 1;

	fd = host ? tcp_connect(host, port, peer) : tcp_accept(port, peer);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* The transport's own port, not the TCP one. */
	if (peer->ss_family == AF_INET6)
		((struct sockaddr_in6 *)peer)->sin6_port = 0;
	else
		((struct sockaddr_in *)peer)->sin_port = 0;
	return fd;
}
