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

int tcp_socket(const char *host, const char *port, struct sockaddr_in *peer)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM,
				  .ai_flags = host ? 0 : AI_PASSIVE };
	struct addrinfo *ai;
	socklen_t len = sizeof(*peer);
	int fd, lfd, one = 1, ret;

	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret) {
		fprintf(stderr, "%s: %s: %s\n", tool_name, host ? host : "listen",
			gai_strerror(ret));
		exit(1);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket", errno);
	if (host) {
		/* The server may still be starting: retry for 2 minutes. */
		for (ret = 0; connect(fd, ai->ai_addr, ai->ai_addrlen); ret++) {
			if (ret == 1200)
				die("connect", errno);
			usleep(100000);
		}
		memcpy(peer, ai->ai_addr, sizeof(*peer));
	} else {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1))
			die("listen", errno);
		lfd = fd;
		fd = accept(lfd, (struct sockaddr *)peer, &len);
		if (fd < 0)
			die("accept", errno);
		close(lfd);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	freeaddrinfo(ai);
	peer->sin_port = 0;
	return fd;
}
