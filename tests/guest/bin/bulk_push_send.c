// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * bulk_push_send: one SEND of SIZE bytes of 0x5a from an io_uring
 * registered buffer to endpoint EP of the node at ADDR. From a registered
 * buffer the SEND is pushed: the receiving node's kernel answers with a
 * CTS that carries keys over the RECV's range, and this node's kernel
 * WRITEs into it. tests/pair/hostile-pair uses it to have the hostile
 * node receive such keys. Prints "status N" (the CQE's, a negative
 * errno or the bytes sent) and exits 0 when it was a success.
 *   bulk_push_send DEVICE ADDR EP SIZE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <liburing.h>
#include <infiniband/bulk.h>
#include "common.h"
#include "device.h"

const char *tool_name = "bulk_push_send";

int main(int argc, char **argv)
{
	struct io_uring_params p = { .flags = IBV_BULK_URING_SETUP_FLAGS };
	struct sockaddr_in node = { .sin_family = AF_INET };
	struct ibv_bulk_op op = { .opcode = IBV_BULK_OP_SEND };
	struct io_uring_cqe *cqe;
	struct ibv_context *ctx;
	struct ibv_bulk_conn *conn;
	struct ibv_bulk_ep *ep;
	struct io_uring ring;
	struct iovec iov;
	size_t size;
	int ret, res;

	if (argc != 5 || inet_pton(AF_INET, argv[2], &node.sin_addr) != 1) {
		fprintf(stderr, "usage: bulk_push_send DEVICE ADDR EP SIZE\n");
		return 2;
	}
	size = strtoull(argv[4], NULL, 0);
	ctx = find_device(argv[1]);
	if (!ctx)
		die(argv[1], errno);
	ep = ibv_bulk_ep_open(ctx, NULL);
	if (!ep)
		die("ibv_bulk_ep_open", errno);
	conn = ibv_bulk_connect(ep, (struct sockaddr *)&node,
				strtoul(argv[3], NULL, 0));
	if (!conn)
		die("ibv_bulk_connect", errno);
	iov.iov_len = size;
	iov.iov_base = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (iov.iov_base == MAP_FAILED)
		die("mmap", errno);
	memset(iov.iov_base, 0x5a, size);
	ret = io_uring_queue_init_params(4, &ring, &p);
	if (ret)
		die("io_uring_queue_init_params", -ret);
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (ret)
		die("io_uring_register_buffers", -ret);
	op.conn = conn;
	op.length = size;
	ret = ibv_bulk_prep_op_fixed(io_uring_get_sqe(&ring), ep, &op,
				     iov.iov_base, 0);
	if (ret)
		die("ibv_bulk_prep_op_fixed", ret);
	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret < 0)
		die("io_uring_submit_and_wait", -ret);
	ret = io_uring_peek_cqe(&ring, &cqe);
	if (ret)
		die("io_uring_peek_cqe", -ret);
	res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	printf("status %d\n", res);
	io_uring_queue_exit(&ring);
	if (ibv_bulk_disconnect(conn) || ibv_bulk_ep_close(ep))
		die("teardown", EIO);
	ibv_close_device(ctx);
	return res == (int)size ? 0 : 1;
}
