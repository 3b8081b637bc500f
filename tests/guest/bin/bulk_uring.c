// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * rdma-bulk operations through io_uring, for the guest tests. Two
 * endpoints of one process talk over the node's own address (a real RC
 * loopback); z grants its whole MR to a.
 *   bulk_uring DEVICE ADDR data OP SIZE COUNT DEPTH [sqpoll][,fixed]
 *	COUNT operations of SIZE bytes (OP write, read or send), DEPTH in
 *	flight, every byte compared afterwards. Prints "ok ops=N". With
 *	fixed, a's side is a buffer registered with io_uring (in no MR).
 *   bulk_uring DEVICE ADDR unregister N
 *	N 64 KiB WRITEs from a registered buffer, which is unregistered
 *	while they are in flight; prints "unregistered", then "ok ops=N"
 *	when every CQE and byte is right.
 *   bulk_uring DEVICE ADDR bad
 *	SQEs the kernel must refuse, one line "<case> <res>" each.
 *   bulk_uring DEVICE ADDR mixed
 *	an ioctl-posted and a uring-posted WRITE on the same endpoint.
 *   bulk_uring DEVICE ADDR fork
 *   bulk_uring DEVICE ADDR scm
 *	a child on the endpoint it inherited (fork) or received (SCM_RIGHTS)
 *	submits a WRITE from the parent's MR, and (fork) deregisters that
 *	MR and WRITEs from an MR of its own; prints the child's results and
 *	whose bytes landed at the grant.
 *   bulk_uring DEVICE ADDR inflight N exit|close
 *	N 4 KiB WRITEs submitted, then the process exits (or closes the
 *	ring and tears down) without reaping them. Prints "submitted N".
 *   bulk_uring DEVICE ADDR recv N M close|exit|wait[,sqpoll]
 *	N 4 KiB RECVs on z submitted through io_uring, then M SENDs from
 *	a (ioctl POST): the first M RECVs complete as CQEs, data checked,
 *	and "received M" is printed. The other N - M stay queued until the
 *	ring is closed (close: a SEND too big for them, posted until none
 *	is queued, must find none: "after close send=<status>"), the
 *	process exits (exit) or the caller kills it (wait: "waiting"). A
 *	kernel that refuses RECVs through io_uring (Linux 6.1) prints
 *	"refused <errno>" instead.
 *   bulk_uring DEVICE ADDR removal N KIB
 *	N (at most 32) WRITEs of KIB KiB each (at most 1024) kept in
 *	flight, odd ones from a registered buffer, and 4 RECVs on z queued
 *	through the same ring;
 *	prints "submitted N", then, once the caller has removed the device,
 *	the failures' errnos, "cqes C ok K failed F", the RECVs' results
 *	("recvs <errno>..."), the result of one more WRITE and "closed" once
 *	all is torn down.
 * Exit status 0 when the run could be judged; the caller holds the
 * expectations.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <infiniband/bulk.h>
#include <rdma/ib_user_ioctl_bulk.h>
#include "loopback.h"

#define MR_SIZE (66UL << 20)

static struct {
	struct loopback lb;
	unsigned char *abuf, *zbuf;
	unsigned char *fbuf;	/* a's io_uring registered buffer */
} s;

static void die(const char *what, int err)
{
	fprintf(stderr, "bulk_uring: %s: %s\n", what, strerror(err));
	exit(2);
}

static void setup(const char *dev, const char *addr)
{
	s.abuf = mmap(NULL, MR_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s.zbuf = mmap(NULL, MR_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s.fbuf = mmap(NULL, MR_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s.abuf == MAP_FAILED || s.zbuf == MAP_FAILED || s.fbuf == MAP_FAILED)
		die("mmap", errno);
	errno = loopback_open(&s.lb, dev, addr, s.abuf, s.zbuf, MR_SIZE);
	if (errno)
		die(s.lb.failed, errno);
}

static void teardown(void)
{
	errno = loopback_close(&s.lb);
	if (errno)
		die(s.lb.failed, errno);
}

static void ring_init(struct io_uring *ring, unsigned int entries,
		      unsigned int flags)
{
	struct io_uring_params p = { .flags = flags, .sq_thread_idle = 2000 };
	int ret = io_uring_queue_init_params(entries, ring, &p);

	if (ret)
		die("io_uring_queue_init_params", -ret);
}

/* A WRITE from a's MR to z's grant: slot i of SIZE bytes, odd offsets. */
static struct ibv_bulk_op op_at(uint32_t opcode, uint64_t size, uint64_t i)
{
	struct ibv_bulk_op op = {
		.wr_id = i + 1, .opcode = opcode, .conn = s.lb.az, .mr = s.lb.amr,
		.offset = 1 + i * size, .length = size,
	};

	if (opcode != IBV_BULK_OP_SEND) {
		op.remote_grant = s.lb.grant;
		op.remote_offset = 3 + i * size;
	}
	return op;
}

/* Register s.fbuf as the ring's buffer 0. */
static void ring_register_fbuf(struct io_uring *ring)
{
	struct iovec iov = { .iov_base = s.fbuf, .iov_len = MR_SIZE };
	int ret = io_uring_register_buffers(ring, &iov, 1);

	if (ret)
		die("io_uring_register_buffers", -ret);
}

/* Prepare slot i of op_at() with a's side in s.fbuf at the same offset. */
static void prep_fixed(struct io_uring_sqe *sqe, struct ibv_bulk_op op)
{
	const void *buf = s.fbuf + op.offset;
	int ret;

	op.mr = NULL;
	op.offset = 0;
	ret = ibv_bulk_prep_op_fixed(sqe, s.lb.a, &op, buf, 0);
	if (ret)
		die("ibv_bulk_prep_op_fixed", ret);
}

static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 2654435761u) >> 13 ^ seed);
}

static int data(const char *opname, uint64_t size, unsigned int count,
		unsigned int depth, int sqpoll, int fixed)
{
	unsigned char *local = fixed ? s.fbuf : s.abuf;
	uint32_t opcode = !strcmp(opname, "read") ? IBV_BULK_OP_READ :
			  !strcmp(opname, "send") ? IBV_BULK_OP_SEND :
			  IBV_BULK_OP_WRITE;
	unsigned int slots = (MR_SIZE - 8) / size, sub = 0, done = 0, inflight = 0;
	unsigned int i;
	unsigned char *src = opcode == IBV_BULK_OP_READ ? s.zbuf + 3 : local + 1;
	unsigned char *dst = opcode == IBV_BULK_OP_READ ? local + 1 : s.zbuf + 3;
	struct io_uring ring;

	if (!slots)
		die("size", EINVAL);
	fill(src, (uint64_t)size * (count < slots ? count : slots), size + count);
	if (opcode == IBV_BULK_OP_SEND) {
		/* FIFO matching: RECV i lands where SEND i's data is checked. */
		for (i = 0; i < count; i++) {
			struct ibv_bulk_op r = {
				.wr_id = i, .opcode = IBV_BULK_OP_RECV,
				.mr = s.lb.zmr, .offset = 3 + (i % slots) * size,
				.length = size,
			};
			unsigned int n;

			if (ibv_bulk_post(s.lb.z, &r, 1, &n))
				die("post RECV", EIO);
		}
	}
	ring_init(&ring, depth, IBV_BULK_URING_SETUP_FLAGS |
		  (sqpoll ? IORING_SETUP_SQPOLL : 0));
	if (fixed)
		ring_register_fbuf(&ring);
	while (done < count) {
		struct io_uring_cqe *cqe;
		struct ibv_bulk_wc wc;
		int ret;

		while (inflight < depth && sub < count) {
			struct ibv_bulk_op op = op_at(opcode, size, sub % slots);
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			if (!sqe)
				break;
			op.wr_id = sub + 1;
			if (fixed) {
				prep_fixed(sqe, op);
			} else {
				ret = ibv_bulk_prep_op(sqe, s.lb.a, &op);
				if (ret)
					die("ibv_bulk_prep_op", ret);
			}
			sub++;
			inflight++;
		}
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0)
			die("io_uring_submit_and_wait", -ret);
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			ibv_bulk_cqe_to_wc(cqe, &wc);
			io_uring_cqe_seen(&ring, cqe);
			if (wc.status || wc.byte_len != size ||
			    wc.opcode != opcode || wc.wr_id < 1 ||
			    wc.wr_id > count) {
				printf("bad completion wr_id=%llu status=%d len=%llu opcode=%u\n",
				       (unsigned long long)wc.wr_id, wc.status,
				       (unsigned long long)wc.byte_len, wc.opcode);
				return 1;
			}
			done++;
			inflight--;
		}
	}
	io_uring_queue_exit(&ring);
	if (opcode == IBV_BULK_OP_SEND) {
		struct ibv_bulk_wc wc[64];
		unsigned int got = 0;

		while (got < count) {
			int n = ibv_bulk_poll(s.lb.z, wc, 64);

			if (n < 0)
				die("poll", -n);
			for (i = 0; i < (unsigned int)n; i++)
				if (wc[i].status || wc[i].byte_len != size)
					die("RECV completion", EIO);
			got += n;
		}
	}
	if (memcmp(src, dst, (uint64_t)size * (count < slots ? count : slots))) {
		printf("data differ\n");
		return 1;
	}
	printf("ok ops=%u\n", count);
	return 0;
}

/* Submit one SQE and report its CQE's res. */
static int one(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	int ret, res;

	(void)sqe;
	ret = io_uring_submit_and_wait(ring, 1);
	if (ret < 0)
		return ret;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret)
		return ret;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static void report(const char *name, int res)
{
	printf("%s %s\n", name, res < 0 ? strerrorname_np(-res) : res ? "bytes" : "0");
}

static int bad(void)
{
	struct ibv_bulk_op op = op_at(IBV_BULK_OP_WRITE, 4096, 0);
	struct ib_uverbs_bulk_uring_cmd *cmd;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fds[2], ep_fd;

	/* 64-byte SQEs have no room for the command. */
	ring_init(&ring, 4, IORING_SETUP_CQE32);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, ibv_bulk_ep_fd(s.lb.a), NULL, 0, 0);
	sqe->cmd_op = IB_UVERBS_BULK_URING_POST;
	report("no_sqe128", one(&ring, sqe));
	io_uring_queue_exit(&ring);

	ring_init(&ring, 4, IORING_SETUP_SQE128);
	sqe = io_uring_get_sqe(&ring);
	ibv_bulk_prep_op(sqe, s.lb.a, &op);
	report("no_cqe32", one(&ring, sqe));
	io_uring_queue_exit(&ring);

	ring_init(&ring, 8, IBV_BULK_URING_SETUP_FLAGS);
#define BAD(name, change) do {					\
		sqe = io_uring_get_sqe(&ring);			\
		ibv_bulk_prep_op(sqe, s.lb.a, &op);		\
		cmd = (struct ib_uverbs_bulk_uring_cmd *)sqe->cmd;	\
		(void)cmd;					\
		change;						\
		report(name, one(&ring, sqe));			\
	} while (0)
	BAD("valid", (void)0);
	BAD("unknown_cmd_op", sqe->cmd_op = 0x1234);
	BAD("reserved", cmd->reserved[1] = 1);
	BAD("wr_id_in_cmd", cmd->op.wr_id = 5);
	BAD("op_reserved", cmd->op.reserved = 1);
	BAD("opcode", cmd->op.opcode = 77);
	/* RECVs refused before they are queued (Linux 6.1: all of them). */
#define BAD_RECV(name, change) BAD(name, (cmd->op.opcode = IB_UVERBS_BULK_OP_RECV, \
					  cmd->op.conn_id = 0, cmd->op.remote_grant = 0, \
					  cmd->op.remote_offset = 0, change))
	BAD("recv_conn", (cmd->op.opcode = IB_UVERBS_BULK_OP_RECV, cmd->op.remote_grant = 0,
			  cmd->op.remote_offset = 0));
	BAD_RECV("recv_grant", cmd->op.remote_grant = s.lb.grant);
	BAD_RECV("recv_imm", (cmd->op.flags = IB_UVERBS_BULK_OP_F_IMM, cmd->op.imm = 1));
	BAD_RECV("recv_bad_mr", cmd->op.mr_id = 999);
	BAD_RECV("recv_past_mr", cmd->op.offset = MR_SIZE);
	BAD_RECV("recv_no_length", cmd->op.length = 0);
#undef BAD_RECV
	BAD("two_gib", cmd->op.length = 1ULL << 31);
	BAD("bad_mr", cmd->op.mr_id = 999);
	BAD("bad_conn", cmd->op.conn_id = 999);
	BAD("past_mr", cmd->op.offset = MR_SIZE);
	BAD("unknown_grant", cmd->op.remote_grant = 0xdead);
	BAD("past_grant", cmd->op.remote_offset = MR_SIZE);
	if (pipe(fds))
		die("pipe", errno);
	BAD("not_an_endpoint", sqe->fd = fds[0]);
	/* The endpoint as a registered file. */
	ep_fd = ibv_bulk_ep_fd(s.lb.a);
	if (io_uring_register_files(&ring, &ep_fd, 1))
		die("io_uring_register_files", EIO);
	BAD("registered_file", (sqe->fd = 0, sqe->flags |= IOSQE_FIXED_FILE));
	/* Registered buffers: none yet, then s.fbuf as buffer 0. */
#define BAD_FIXED(name, change) do {				\
		sqe = io_uring_get_sqe(&ring);			\
		prep_fixed(sqe, op);				\
		cmd = (struct ib_uverbs_bulk_uring_cmd *)sqe->cmd;	\
		change;						\
		report(name, one(&ring, sqe));			\
	} while (0)
	BAD_FIXED("fixed_no_buffers", (void)0);
	ring_register_fbuf(&ring);
	BAD_FIXED("fixed_valid", (void)0);
	BAD_FIXED("fixed_read", cmd->op.opcode = IB_UVERBS_BULK_OP_READ);
	BAD_FIXED("fixed_bad_index", sqe->buf_index = 1);
	BAD_FIXED("fixed_mr_id", cmd->op.mr_id = 1);
	BAD_FIXED("fixed_before", cmd->op.offset = (uintptr_t)s.fbuf - 1);
	BAD_FIXED("fixed_past", cmd->op.offset = (uintptr_t)s.fbuf + MR_SIZE - 4095);
	BAD_FIXED("fixed_wraps", cmd->op.offset = -4096ULL);
	/* A SEND z has no RECV for: the push reached the receiver. */
	BAD_FIXED("fixed_send_no_recv", (cmd->op.opcode = IB_UVERBS_BULK_OP_SEND,
					 cmd->op.remote_grant = 0, cmd->op.remote_offset = 0));
	BAD_FIXED("fixed_recv", (cmd->op.opcode = IB_UVERBS_BULK_OP_RECV, cmd->op.conn_id = 0,
				 cmd->op.remote_grant = 0, cmd->op.remote_offset = 0));
	BAD_FIXED("fixed_unknown_grant", cmd->op.remote_grant = 0xdead);
	BAD_FIXED("fixed_flag_with_mr", (ibv_bulk_prep_op(sqe, s.lb.a, &op),
					 sqe->uring_cmd_flags = IORING_URING_CMD_FIXED));
	/* The library's own checks: an MR, a RECV. */
	report("lib_fixed_mr", -ibv_bulk_prep_op_fixed(io_uring_get_sqe(&ring), s.lb.a, &op,
						       s.fbuf, 0));
	op.mr = NULL;
	op.offset = 0;
	op.opcode = IBV_BULK_OP_RECV;
	op.conn = NULL;
	report("lib_fixed_recv", -ibv_bulk_prep_op_fixed(io_uring_get_sqe(&ring), s.lb.a, &op,
							 s.fbuf, 0));
#undef BAD_FIXED
#undef BAD
	io_uring_queue_exit(&ring);
	printf("done\n");
	return 0;
}

static int mixed(void)
{
	struct ibv_bulk_op op = op_at(IBV_BULK_OP_WRITE, 4096, 0);
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	struct ibv_bulk_wc wc[4];
	unsigned int n;
	int got = 0, ret;

	ring_init(&ring, 4, IBV_BULK_URING_SETUP_FLAGS);
	op.wr_id = 222;
	ibv_bulk_prep_op(io_uring_get_sqe(&ring), s.lb.a, &op);
	io_uring_submit(&ring);
	op.wr_id = 111;
	if (ibv_bulk_post(s.lb.a, &op, 1, &n))
		die("ibv_bulk_post", EIO);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret)
		die("io_uring_wait_cqe", -ret);
	printf("cqe user_data=%llu res=%d\n", (unsigned long long)cqe->user_data, cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	while (got < 1) {
		ret = ibv_bulk_poll(s.lb.a, wc, 4);
		if (ret < 0)
			die("poll", -ret);
		for (n = 0; n < (unsigned int)ret; n++)
			printf("wc wr_id=%llu status=%d\n",
			       (unsigned long long)wc[n].wr_id, wc[n].status);
		got += ret;
	}
	/* Nothing more on either path. */
	usleep(200000);
	printf("extra poll=%d cqe=%d\n", ibv_bulk_poll(s.lb.a, wc, 4),
	       io_uring_peek_cqe(&ring, &cqe) == 0);
	io_uring_queue_exit(&ring);
	return 0;
}

/* Whose 4 KiB reached z's slot 0: the parent's registered bytes or not. */
static const char *landed(const unsigned char *parent_copy)
{
	if (!memcmp(s.zbuf + 3, parent_copy, 4096))
		return "parent";
	return s.zbuf[3] == 0xee ? "child" : "neither";
}

/* One SQE on @fd with the command area @cmd; the CQE's res. */
static int submit_cmd(int fd, uint32_t cmd_op, const void *cmd)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int res;

	ring_init(&ring, 4, IBV_BULK_URING_SETUP_FLAGS);
	sqe = io_uring_get_sqe(&ring);
	memset(sqe, 0, 2 * sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = cmd_op;
	sqe->user_data = 9;
	memcpy(sqe->cmd, cmd, IBV_BULK_URING_CMD_SIZE);
	res = one(&ring, sqe);
	(void)cqe;
	io_uring_queue_exit(&ring);
	return res;
}

/*
 * A child that holds the endpoint's file (inherited or received) may post
 * on it, but an MR is its registering process's memory: the parent's MRs
 * are refused (EPERM, for posting and deregistering alike), and memory the
 * child registers itself on the same endpoint moves the child's bytes.
 */
static void child_ops(int fd, int scm)
{
	struct ibv_bulk_op op = op_at(IBV_BULK_OP_WRITE, 4096, 0);
	unsigned char cmd[IBV_BULK_URING_CMD_SIZE];
	struct ibv_bulk_mr *own;
	uint32_t cmd_op;
	int res;

	if (ibv_bulk_uring_cmd(s.lb.a, &op, cmd, &cmd_op))
		_exit(3);
	res = submit_cmd(fd, cmd_op, cmd);
	printf("child parent_mr=%s", res < 0 ? strerror(-res) : "posted");
	if (!scm) {
		res = ibv_bulk_dereg_mr(s.lb.amr);
		printf(" dereg=%s", res ? strerror(res) : "done");
		own = ibv_bulk_reg_mr(s.lb.a, s.abuf, 8192, 0);
		if (!own)
			_exit(3);
		op.mr = own;
		if (ibv_bulk_uring_cmd(s.lb.a, &op, cmd, &cmd_op))
			_exit(3);
		res = submit_cmd(fd, cmd_op, cmd);
		printf(" own_mr=%d", res);
		if (ibv_bulk_dereg_mr(own))
			_exit(3);
	}
	printf("\n");
	fflush(stdout);
}

static int shared_fd(int scm)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned char copy[4096];
	struct cmsghdr *cm;
	int sv[2], status;
	pid_t pid;

	fill(s.abuf + 1, 4096, 99);
	memcpy(copy, s.abuf + 1, 4096);
	memset(s.zbuf, 0, 8192);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (!pid) {
		int fd = ibv_bulk_ep_fd(s.lb.a);

		close(sv[0]);
		/* The child's copy changes; the registered pages are the parent's. */
		memset(s.abuf + 1, 0xee, 4096);
		if (scm) {
			/* Only the received file: close the inherited one. */
			close(fd);
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			if (recvmsg(sv[1], &mh, 0) != 1)
				_exit(3);
			cm = CMSG_FIRSTHDR(&mh);
			if (!cm || cm->cmsg_type != SCM_RIGHTS)
				_exit(3);
			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		}
		child_ops(fd, scm);
		_exit(0);
	}
	close(sv[1]);
	if (scm) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &(int){ ibv_bulk_ep_fd(s.lb.a) }, sizeof(int));
		if (sendmsg(sv[0], &mh, 0) != 1)
			die("sendmsg", errno);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("child", EIO);
	close(sv[0]);
	printf("landed=%s\n", landed(copy));
	return 0;
}

/*
 * Unregistering a buffer waits for the requests that use it (each holds
 * the registration), which end by themselves.
 */
static int unregister(unsigned int count)
{
	const uint64_t size = 65536;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned int i, done = 0;
	int ret;

	fill(s.fbuf + 1, size * count, count);
	ring_init(&ring, count, IBV_BULK_URING_SETUP_FLAGS);
	ring_register_fbuf(&ring);
	for (i = 0; i < count; i++)
		prep_fixed(io_uring_get_sqe(&ring), op_at(IBV_BULK_OP_WRITE, size, i));
	if (io_uring_submit(&ring) != (int)count)
		die("io_uring_submit", EIO);
	ret = io_uring_unregister_buffers(&ring);
	if (ret)
		die("io_uring_unregister_buffers", -ret);
	printf("unregistered\n");
	while (done < count) {
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret)
			die("io_uring_wait_cqe", -ret);
		if (cqe->res != (int)size) {
			printf("bad cqe res=%d\n", cqe->res);
			return 1;
		}
		io_uring_cqe_seen(&ring, cqe);
		done++;
	}
	io_uring_queue_exit(&ring);
	if (memcmp(s.fbuf + 1, s.zbuf + 3, size * count)) {
		printf("data differ\n");
		return 1;
	}
	printf("ok ops=%u\n", count);
	return 0;
}

static int inflight(unsigned int count, const char *how)
{
	struct io_uring ring;
	unsigned int i;

	ring_init(&ring, count, IBV_BULK_URING_SETUP_FLAGS);
	for (i = 0; i < count; i++) {
		struct ibv_bulk_op op = op_at(IBV_BULK_OP_WRITE, 4096, i);

		if (ibv_bulk_prep_op(io_uring_get_sqe(&ring), s.lb.a, &op))
			die("ibv_bulk_prep_op", EIO);
	}
	if (io_uring_submit(&ring) != (int)count)
		die("io_uring_submit", EIO);
	printf("submitted %u\n", count);
	fflush(stdout);
	if (!strcmp(how, "exit"))
		_exit(0);	/* ring, endpoints and MRs go with the process */
	io_uring_queue_exit(&ring);
	teardown();
	printf("closed\n");
	return 0;
}

/* One SEND from a's MR at @off (ioctl POST); its completion's status. */
static int send_one(uint64_t off, uint64_t size)
{
	struct ibv_bulk_op op = {
		.wr_id = off + 1, .opcode = IBV_BULK_OP_SEND, .conn = s.lb.az,
		.mr = s.lb.amr, .offset = off, .length = size,
	};
	struct ibv_bulk_wc wc;
	unsigned int n;
	int ret;

	ret = ibv_bulk_post(s.lb.a, &op, 1, &n);
	if (ret)
		die("post SEND", ret);
	while ((ret = ibv_bulk_poll(s.lb.a, &wc, 1)) == 0)
		;
	if (ret < 0)
		die("poll SEND", -ret);
	return wc.status;
}

static int recvs(unsigned int count, unsigned int sends, const char *how)
{
	const uint64_t size = 4096;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned int i;
	int ret;

	if (sends > count || count * size > MR_SIZE)
		die("recv: M > N or too many", EINVAL);
	ring_init(&ring, count, IBV_BULK_URING_SETUP_FLAGS |
		  (strstr(how, "sqpoll") ? IORING_SETUP_SQPOLL : 0));
	for (i = 0; i < count; i++) {
		struct ibv_bulk_op op = {
			.wr_id = i + 1, .opcode = IBV_BULK_OP_RECV,
			.mr = s.lb.zmr, .offset = i * size, .length = size,
		};

		ret = ibv_bulk_prep_op(io_uring_get_sqe(&ring), s.lb.z, &op);
		if (ret)
			die("ibv_bulk_prep_op", ret);
	}
	ret = io_uring_submit(&ring);
	if (ret != (int)count)
		die("io_uring_submit", ret < 0 ? -ret : EIO);
	/* With SQPOLL, the ring's thread issues them: wait until it took all. */
	while (io_uring_sq_ready(&ring))
		usleep(1000);
	/* Nothing was sent yet: a CQE now is a refusal. */
	if (io_uring_peek_cqe(&ring, &cqe) == 0) {
		printf("refused %s\n", strerrorname_np(-cqe->res));
		io_uring_queue_exit(&ring);
		return 0;
	}
	fill(s.abuf, count * size, count);
	for (i = 0; i < sends; i++) {
		ret = send_one(i * size, size);
		if (ret)
			die("SEND completion", ret);
	}
	for (i = 0; i < sends; i++) {
		struct ibv_bulk_wc wc;

		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret)
			die("io_uring_wait_cqe", -ret);
		ibv_bulk_cqe_to_wc(cqe, &wc);
		io_uring_cqe_seen(&ring, cqe);
		if (wc.status || wc.byte_len != size ||
		    wc.opcode != IBV_BULK_WC_RECV || wc.wr_id != i + 1) {
			printf("bad RECV completion wr_id=%llu status=%d len=%llu opcode=%u\n",
			       (unsigned long long)wc.wr_id, wc.status,
			       (unsigned long long)wc.byte_len, wc.opcode);
			return 1;
		}
	}
	if (memcmp(s.abuf, s.zbuf, sends * size)) {
		printf("data differ\n");
		return 1;
	}
	printf("received %u\n", sends);
	fflush(stdout);
	if (strstr(how, "exit"))
		_exit(0);	/* ring, endpoints and MRs go with the process */
	if (strstr(how, "wait")) {
		printf("waiting\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	/*
	 * io_uring tears a closed ring down in a worker, so the cancellation
	 * comes a little later. Probe with a SEND too big for a RECV: while
	 * one is queued it is refused (EMSGSIZE) without taking it; once none
	 * is left, it finds none (ENOBUFS). At most 30 s.
	 */
	io_uring_queue_exit(&ring);
	for (i = 0; i < 300; i++) {
		ret = send_one(0, 2 * size);
		if (ret != EMSGSIZE)
			break;
		usleep(100000);
	}
	printf("after close send=%s\n", ret ? strerrorname_np(ret) : "0");
	return 0;
}

/*
 * The device is removed while WRITEs are in flight (by the caller, once it
 * read "submitted"): each CQE of a WRITE that succeeded is replaced by a
 * new WRITE, so that N stay in flight whatever the speed, until the first
 * failure, or for at most MAX_REMOVAL_SECS.
 */
#define MAX_REMOVAL_SECS 300

static void removal_prep(struct io_uring *ring, unsigned int i, uint64_t size)
{
	struct ibv_bulk_op op = op_at(IBV_BULK_OP_WRITE, size, i % 32);

	op.wr_id = i + 1;
	if (i % 2)
		prep_fixed(io_uring_get_sqe(ring), op);
	else if (ibv_bulk_prep_op(io_uring_get_sqe(ring), s.lb.a, &op))
		die("ibv_bulk_prep_op", EIO);
}

#define REMOVAL_RECVS 4
#define RECV_TAG (1ULL << 63)	/* user_data of the RECVs */

static int removal(unsigned int count, uint64_t size)
{
	unsigned int sub = 0, done = 0, ok = 0, failed = 0, recvs = 0, i;
	int recv_res[REMOVAL_RECVS];
	time_t end = time(NULL) + MAX_REMOVAL_SECS;
	struct io_uring_cqe *cqe;
	struct ibv_bulk_op op;
	struct io_uring ring;
	int ret;

	if (count > 32)
		die("removal: at most 32 in flight", EINVAL);
	if (!size || size > 1 << 20)
		die("removal: WRITEs of 1 KiB to 1024 KiB", EINVAL);
	ring_init(&ring, count + 1 + REMOVAL_RECVS, IBV_BULK_URING_SETUP_FLAGS);
	ring_register_fbuf(&ring);
	/* RECVs nobody sends to: the removal must end each of them. */
	for (i = 0; i < REMOVAL_RECVS; i++) {
		op = (struct ibv_bulk_op){
			.wr_id = RECV_TAG | i, .opcode = IBV_BULK_OP_RECV,
			.mr = s.lb.zmr, .offset = i * 4096, .length = 4096,
		};
		if (ibv_bulk_prep_op(io_uring_get_sqe(&ring), s.lb.z, &op))
			die("ibv_bulk_prep_op RECV", EIO);
	}
	for (; sub < count; sub++)
		removal_prep(&ring, sub, size);
	if (io_uring_submit(&ring) != (int)count + REMOVAL_RECVS)
		die("io_uring_submit", EIO);
	printf("submitted %u\n", count);
	fflush(stdout);
	printf("errors");
	while (done < sub || recvs < REMOVAL_RECVS) {
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret)
			die("io_uring_wait_cqe", -ret);
		if (cqe->user_data & RECV_TAG) {
			if (recvs < REMOVAL_RECVS)
				recv_res[recvs++] = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
			continue;
		}
		if (cqe->res == (int)size) {
			ok++;
		} else {
			failed++;
			printf(" %d", -cqe->res);
		}
		io_uring_cqe_seen(&ring, cqe);
		done++;
		if (!failed && time(NULL) < end) {
			removal_prep(&ring, sub++, size);
			if (io_uring_submit(&ring) != 1)
				die("io_uring_submit", EIO);
		}
	}
	printf("\ncqes %u ok %u failed %u\nrecvs", done, ok, failed);
	for (i = 0; i < REMOVAL_RECVS; i++)
		printf(" %s", recv_res[i] < 0 ? strerrorname_np(-recv_res[i]) : "0");
	printf("\n");
	op = op_at(IBV_BULK_OP_WRITE, 4096, 0);
	if (ibv_bulk_prep_op(io_uring_get_sqe(&ring), s.lb.a, &op))
		die("ibv_bulk_prep_op", EIO);
	printf("after %d\n", one(&ring, NULL));
	io_uring_queue_exit(&ring);
	teardown();
	printf("closed\n");
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	if (argc < 4) {
		fprintf(stderr, "usage: see the comment at the top\n");
		return 2;
	}
	setup(argv[1], argv[2]);
	if (!strcmp(argv[3], "data") && argc >= 7)
		ret = data(argv[4], strtoull(argv[5], NULL, 0), strtoul(argv[6], NULL, 0),
			   argc > 7 ? strtoul(argv[7], NULL, 0) : 1,
			   argc > 8 && strstr(argv[8], "sqpoll"),
			   argc > 8 && strstr(argv[8], "fixed"));
	else if (!strcmp(argv[3], "bad"))
		ret = bad();
	else if (!strcmp(argv[3], "mixed"))
		ret = mixed();
	else if (!strcmp(argv[3], "fork") || !strcmp(argv[3], "scm"))
		ret = shared_fd(!strcmp(argv[3], "scm"));
	else if (!strcmp(argv[3], "unregister") && argc == 5)
		ret = unregister(strtoul(argv[4], NULL, 0));
	else if (!strcmp(argv[3], "inflight") && argc == 6)
		return inflight(strtoul(argv[4], NULL, 0), argv[5]);
	else if (!strcmp(argv[3], "recv") && argc == 7)
		ret = recvs(strtoul(argv[4], NULL, 0), strtoul(argv[5], NULL, 0), argv[6]);
	else if (!strcmp(argv[3], "removal") && argc == 6)
		return removal(strtoul(argv[4], NULL, 0),
			       strtoull(argv[5], NULL, 0) << 10);
	if (ret != 2)
		teardown();
	return ret;
}
