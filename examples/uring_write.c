// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * WRITE a buffer to a remote endpoint's grant through io_uring.
 *
 *   uring_write HOST REMOTE_EP_ID GRANT_ID [SIZE]
 *
 * The remote side (for example `ibbulk_bw` in server mode, or a program of
 * your own) owns the memory and granted GRANT_ID to this process's
 * endpoint; how ids travel between the two is up to the application.
 * Build: cc uring_write.c $(pkg-config --cflags --libs librdmabulk) -luring
 */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <infiniband/bulk.h>
#include <rdma/rdma_bulk.h>

#define DEPTH 32

int main(int argc, char **argv)
{
	size_t size = argc > 4 ? strtoull(argv[4], NULL, 0) : 1 << 20;
	struct io_uring_cqe *cqe;
	struct ibv_bulk_conn *conn;
	struct ibv_bulk_op op = {};
	struct ibv_bulk_ep *ep;
	struct ibv_bulk_mr *mr;
	struct ibv_bulk_wc wc;
	struct io_uring ring;
	char *buf;
	int ret;

	if (argc < 4) {
		fprintf(stderr, "usage: %s HOST REMOTE_EP_ID GRANT_ID [SIZE]\n", argv[0]);
		return 2;
	}
	buf = calloc(1, size);
	ep = rdma_bulk_ep_open(NULL, NULL);
	if (!buf || !ep) {
		perror("rdma_bulk_ep_open");
		return 1;
	}
	printf("local endpoint %u\n", ibv_bulk_ep_id(ep));
	mr = ibv_bulk_reg_mr(ep, buf, size, 0);
	conn = mr ? rdma_bulk_connect(ep, argv[1], NULL, strtoul(argv[2], NULL, 0)) : NULL;
	if (!conn) {
		perror("register or connect");
		return 1;
	}

	/* 128-byte SQEs and 32-byte CQEs: the command does not fit otherwise. */
	ret = io_uring_queue_init(DEPTH, &ring, IBV_BULK_URING_SETUP_FLAGS);
	if (ret) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	op.wr_id = 1;
	op.opcode = IBV_BULK_OP_WRITE;
	op.conn = conn;
	op.mr = mr;
	op.length = size;
	op.remote_grant = strtoull(argv[3], NULL, 0);
	ret = ibv_bulk_prep_op(io_uring_get_sqe(&ring), ep, &op);
	if (ret) {
		fprintf(stderr, "ibv_bulk_prep_op: %s\n", strerror(ret));
		return 1;
	}
	io_uring_submit(&ring);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret) {
		fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-ret));
		return 1;
	}
	ibv_bulk_cqe_to_wc(cqe, &wc);
	io_uring_cqe_seen(&ring, cqe);
	if (wc.status)
		printf("WRITE failed: %s\n", strerror(wc.status));
	else
		printf("WRITE of %llu bytes done\n", (unsigned long long)wc.byte_len);

	io_uring_queue_exit(&ring);
	ibv_bulk_disconnect(conn);
	ibv_bulk_dereg_mr(mr);
	ibv_bulk_ep_close(ep);
	free(buf);
	return wc.status ? 1 : 0;
}
