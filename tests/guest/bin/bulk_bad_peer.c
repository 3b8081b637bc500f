// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * A hostile node: connects to ib_bulk's port as another node's kernel
 * would (RDMA CM, the handshake's private data) and sends control
 * messages that are corrupt, unknown, out of place or forged.
 *   bulk_bad_peer SRC_ADDR NODE_ADDR EP_NO_RECV EP_WITH_RECV
 * EP_NO_RECV and EP_WITH_RECV are live endpoints on the node, the second
 * with one 4 KiB RECV posted. One line per case:
 *   <case> ack=<0|ERRNO|none> alive|killed
 * and "sequence acked=N" for 512 valid messages at the end.
 * "ack" is the node's answer to the message (its status errno), "alive"
 * that a well-formed probe afterwards is still answered on the same
 * connection; a killed connection is replaced for the next case. The
 * guest test holds the expected lines.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rdma/rdma_cma.h>
#include <rdma/rdma_verbs.h>

/* The wire format of kernel/overlay/drivers/infiniband/ulp/bulk/proto.h. */
#define MAGIC 0x424c4b31
#define PORT "18720"
#define VERSION 2
enum {
	ACK = 1, EP_CHECK, GRANT, REVOKE, RTS, IMM, RTS_PUSH, CTS, PING,
	GRANT_KEY, SEND_KEY
};

struct msg {
	uint16_t type;
	uint16_t reserved;
	uint32_t seq;
	uint32_t src_ep;
	uint32_t dst_ep;
	uint32_t status;
	uint32_t rkey;
	uint64_t id;
	uint64_t addr;
	uint64_t length;
	uint32_t access;
	uint32_t imm;
	uint32_t nkeys;
	uint8_t key_shift;
	uint8_t reserved2[3];
};

#define SLOT 512
#define RECVS 64

static struct {
	const char *src, *node;
	uint32_t ep_norecv, ep_recv;
	struct rdma_cm_id *id;
	struct ibv_mr *mr;
	char buf[(RECVS + 2) * SLOT];
	uint32_t seq;
} s;

static void die(const char *what)
{
	fprintf(stderr, "bulk_bad_peer: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void post_recv(int i)
{
	if (rdma_post_recv(s.id, (void *)(uintptr_t)i, s.buf + i * SLOT, SLOT,
			   s.mr))
		die("rdma_post_recv");
}

static void peer_connect(void)
{
	struct rdma_addrinfo hints = { .ai_port_space = RDMA_PS_TCP }, *res;
	struct ibv_qp_init_attr attr = {
		.cap = { .max_send_wr = 16, .max_recv_wr = RECVS,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.qp_type = IBV_QPT_RC,
		.sq_sig_all = 1,
	};
	uint32_t pdata[2] = { htole32(MAGIC), VERSION };
	struct rdma_conn_param param = {
		.private_data = pdata, .private_data_len = sizeof(pdata),
		.responder_resources = 1, .initiator_depth = 1,
		.retry_count = 7, .rnr_retry_count = 7,
	};
	struct sockaddr_in src = { .sin_family = AF_INET };
	int i;

	inet_pton(AF_INET, s.src, &src.sin_addr);
	hints.ai_src_addr = (struct sockaddr *)&src;
	hints.ai_src_len = sizeof(src);
	if (rdma_getaddrinfo(s.node, PORT, &hints, &res))
		die("rdma_getaddrinfo");
	if (rdma_create_ep(&s.id, res, NULL, &attr))
		die("rdma_create_ep");
	rdma_freeaddrinfo(res);
	s.mr = rdma_reg_msgs(s.id, s.buf, sizeof(s.buf));
	if (!s.mr)
		die("rdma_reg_msgs");
	for (i = 0; i < RECVS; i++)
		post_recv(i);
	if (rdma_connect(s.id, &param))
		die("rdma_connect");
}

static void peer_drop(void)
{
	rdma_disconnect(s.id);
	rdma_dereg_mr(s.mr);
	rdma_destroy_ep(s.id);
}

/* Send @len bytes of @m (any length, up to a slot); false if it failed. */
static bool send_raw(const void *m, size_t len)
{
	char *out = s.buf + RECVS * SLOT;
	struct ibv_wc wc;
	double end = now() + 10;
	int n;

	memcpy(out, m, len);
	if (rdma_post_send(s.id, NULL, out, len, s.mr, 0))
		return false;
	while ((n = ibv_poll_cq(s.id->send_cq, 1, &wc)) == 0 && now() < end)
		;
	return n == 1 && wc.status == IBV_WC_SUCCESS;
}

static struct msg msg(uint16_t type, uint32_t dst_ep)
{
	struct msg m = {
		.type = htole16(type), .seq = htole32(++s.seq),
		.src_ep = htole32(7), .dst_ep = htole32(dst_ep),
	};
	return m;
}

/* The node's ACK of @seq within @secs: its status, or -1. */
static int wait_ack(uint32_t seq, double secs)
{
	double end = now() + secs;
	struct ibv_wc wc;

	while (now() < end) {
		const struct msg *m;

		if (ibv_poll_cq(s.id->recv_cq, 1, &wc) != 1)
			continue;
		if (wc.status != IBV_WC_SUCCESS)
			return -1;	/* our QP is flushed: dead */
		m = (const struct msg *)(s.buf + wc.wr_id * SLOT);
		post_recv(wc.wr_id);
		if (le16toh(m->type) == ACK && le32toh(m->seq) == seq)
			return le32toh(m->status);
	}
	return -1;
}

/* Is the connection still answered? A valid EP_CHECK must be. */
static bool probe(void)
{
	struct msg m = msg(EP_CHECK, s.ep_norecv);

	return send_raw(&m, sizeof(m)) && wait_ack(s.seq, 5) == 0;
}

/*
 * A new connection is ready once the node answers on it: RDMA CM on the
 * node may see it established a while after we do (a lost RTU is only
 * repaired by the CM's retries), and an answer is only sent then.
 */
static void peer_connect_ready(void)
{
	int i;

	peer_connect();
	for (i = 0; i < 6; i++)
		if (probe())
			return;
	errno = ETIMEDOUT;
	die("no answer on a new connection");
}

static void report(const char *name, int ack)
{
	bool alive = probe();

	if (ack <= 0)
		printf("%s ack=%s %s\n", name, ack ? "none" : "0",
		       alive ? "alive" : "killed");
	else
		printf("%s ack=%s %s\n", name, strerrorname_np(ack) ?: "?",
		       alive ? "alive" : "killed");
	fflush(stdout);
	if (!alive) {
		peer_drop();
		peer_connect_ready();
	}
}

/* A GRANT of @length bytes at @addr (of its keys' space) for ep_norecv. */
static struct msg grant(uint64_t id, uint64_t addr, uint64_t length,
			uint32_t nkeys, uint8_t shift)
{
	struct msg m = msg(GRANT, s.ep_norecv);

	m.id = htole64(id);
	m.addr = htole64(addr);
	m.length = htole64(length);
	m.access = htole32(3);
	m.rkey = htole32(0xdead00);
	m.nkeys = htole32(nkeys);
	m.key_shift = shift;
	return m;
}

/* GRANT_KEY @k of grant @id; the node's answer to GRANT @seq, or -1. */
static int grant_key(uint64_t id, uint32_t k, uint32_t seq)
{
	struct msg m = msg(GRANT_KEY, 0);

	m.id = htole64(id);
	m.nkeys = htole32(k);
	m.rkey = htole32(0xdead00 + k);
	if (!send_raw(&m, sizeof(m)))
		return -1;
	return seq ? wait_ack(seq, 3) : -1;
}

/* An RTS of @length bytes at @addr of its keys' space, for @dst_ep. */
static struct msg rts(uint32_t dst_ep, uint64_t addr, uint64_t length,
		      uint32_t nkeys, uint8_t shift)
{
	struct msg m = msg(RTS, dst_ep);

	m.addr = htole64(addr);
	m.length = htole64(length);
	m.rkey = htole32(0xdead);
	m.nkeys = htole32(nkeys);
	m.key_shift = shift;
	return m;
}

/* SEND_KEY @k of the RTS or CTS @seq; never answered: -1. */
static int send_key(uint32_t seq, uint32_t k)
{
	struct msg m = msg(SEND_KEY, 0);

	m.id = htole64(seq);
	m.nkeys = htole32(k);
	m.rkey = htole32(0xdead00 + k);
	send_raw(&m, sizeof(m));
	return -1;
}

/* Send @m whole and report the node's answer to it. */
static void one(const char *name, struct msg m)
{
	int ack = send_raw(&m, sizeof(m)) ? wait_ack(le32toh(m.seq), 5) : -1;

	report(name, ack);
}

int main(int argc, char **argv)
{
	char big[SLOT] = {};
	struct msg m;
	int i, acked;

	if (argc != 5) {
		fprintf(stderr, "usage: bulk_bad_peer SRC_ADDR NODE_ADDR EP_NO_RECV EP_WITH_RECV\n");
		return 2;
	}
	s.src = argv[1];
	s.node = argv[2];
	s.ep_norecv = strtoul(argv[3], NULL, 0);
	s.ep_recv = strtoul(argv[4], NULL, 0);
	peer_connect_ready();

	one("ep_check_valid", msg(EP_CHECK, s.ep_norecv));
	one("ep_check_unknown", msg(EP_CHECK, 0xfffffff0));
	one("type_zero", msg(0, s.ep_norecv));
	one("type_unknown", msg(0x7777, s.ep_norecv));
	/* A keepalive probe: taken, never answered, the connection stays. */
	one("ping", msg(PING, s.ep_norecv));

	m = msg(EP_CHECK, s.ep_norecv);
	report("short_message", send_raw(&m, 12) ? wait_ack(s.seq, 3) : -1);
	m = msg(EP_CHECK, s.ep_norecv);
	memcpy(big, &m, sizeof(m));
	report("longer_than_receive_buffer",
	       send_raw(big, sizeof(big)) ? wait_ack(s.seq, 3) : -1);
	report("empty_message", send_raw(big, 0) ? wait_ack(s.seq, 3) : -1);

	m = msg(ACK, 0);
	m.seq = htole32(0x12345);
	report("ack_never_asked", send_raw(&m, sizeof(m)) ? wait_ack(0x12345, 3) : -1);

	m = grant(1ULL << 62, 0x100, 4096, 1, 21);
	m.dst_ep = htole32(0xfffffff0);
	one("grant_unknown_ep", m);
	m = msg(GRANT, s.ep_norecv);
	m.id = htole64(1ULL << 62);
	one("grant_zero_length", m);
	m.seq = htole32(++s.seq);
	m.addr = htole64(0x100);
	m.length = htole64(~0ULL - 10);
	m.nkeys = htole32(1);
	m.key_shift = 21;
	one("grant_wrapping", m);
	/* One key of 2 MiB covers it: the grant starts at 0x100 of it. */
	m.seq = htole32(++s.seq);
	m.addr = htole64(0x100);
	m.length = htole64(4096);
	m.rkey = htole32(0xdead);
	m.nkeys = htole32(1);
	m.key_shift = 21;
	one("grant_forged_key", m);
	m.seq = htole32(++s.seq);
	one("grant_same_id", m);
	m = msg(REVOKE, s.ep_norecv);
	m.id = htole64(99);
	one("revoke_unknown", m);
	m = msg(REVOKE, s.ep_norecv);
	m.id = htole64(1ULL << 62);
	one("revoke_forged_grant", m);
	/* Grants of several keys; the last case costs the connection. */
	m = grant(2ULL << 62, 0x1000, 4096, 1, 21);
	one("grant_start_past_first_page", m);
	m = grant(2ULL << 62, 0x100, 4096, 0, 21);
	one("grant_no_keys", m);
	m = grant(2ULL << 62, 0x100, 4096, 2, 21);
	one("grant_more_keys_than_range", m);
	m = grant(2ULL << 62, 0x100, 4096, 1, 8);
	one("grant_key_below_a_page", m);
	/* 2 MiB from 0x100: two keys; answered once the second came. */
	m = grant(2ULL << 62, 0x100, 2 << 20, 2, 21);
	report("grant_waits_for_its_keys",
	       send_raw(&m, sizeof(m)) ? wait_ack(le32toh(m.seq), 2) : -1);
	report("grant_key_completes", grant_key(2ULL << 62, 1, le32toh(m.seq)));
	m = grant(3ULL << 62, 0x100, 4 << 20, 3, 21);
	report("grant_key_out_of_order",
	       send_raw(&m, sizeof(m)) ? grant_key(3ULL << 62, 2, le32toh(m.seq)) : -1);
	report("grant_key_unknown_grant", grant_key(99, 1, 0));

	/* RTSs with one key of 2 MiB over their range, unless said. */
	one("rts_unknown_ep", rts(0xfffffff0, 0x100, 64, 1, 21));
	one("rts_no_recv", rts(s.ep_norecv, 0x100, 64, 1, 21));
	one("rts_zero_length", rts(s.ep_recv, 0x100, 0, 1, 21));
	one("rts_bigger_than_recv", rts(s.ep_recv, 0x100, 1 << 20, 1, 21));
	/* Refused before a RECV is taken: the forged key below still gets it. */
	one("rts_more_keys_than_range", rts(s.ep_recv, 0x100, 64, 2, 21));
	one("rts_start_past_first_page", rts(s.ep_recv, 0x1000, 64, 1, 21));
	one("rts_key_below_a_page", rts(s.ep_recv, 0x100, 64, 1, 8));
	report("send_key_unknown", send_key(77777, 1));
	m = msg(IMM, 0xfffffff0);
	one("imm_unknown_ep", m);
	m = msg(CTS, s.ep_norecv);
	m.id = htole64(5);
	m.length = htole64(64);
	one("cts_never_asked", m);
	m = msg(CTS, s.ep_norecv);
	m.id = htole64(1ULL << 40);
	one("cts_id_past_seq", m);
	/* The node READs with a key we never had; the first RECV is used. */
	one("rts_forged_key", rts(s.ep_recv, 0x100, 64, 1, 21));
	/*
	 * 4 KiB from 0x100 in keys of 4 KiB: two keys. The second RECV waits
	 * for the second key; one out of order costs the connection, and the
	 * RECV fails with it.
	 */
	m = rts(s.ep_recv, 0x100, 4096, 2, 12);
	report("rts_waits_for_its_keys",
	       send_raw(&m, sizeof(m)) ? wait_ack(le32toh(m.seq), 2) : -1);
	report("send_key_out_of_order", send_key(le32toh(m.seq), 0));

	/* The node's receive queue (128) several times over. */
	for (i = 0, acked = 0; i < 512; i++) {
		m = msg(EP_CHECK, s.ep_norecv);
		if (send_raw(&m, sizeof(m)) && wait_ack(s.seq, 5) == 0)
			acked++;
	}
	printf("sequence acked=%d\n", acked);
	peer_drop();
	printf("done\n");
	return 0;
}
