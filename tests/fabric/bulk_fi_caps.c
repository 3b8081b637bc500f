// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Every capability the bulk libfabric provider claims, through libfabric's
 * own API as an application uses it: endpoints A, B and C in one process
 * on one device (FI_LOCAL_COMM: their messages go through the device like
 * any other), an address vector of each type, completion queues of the
 * formats applications use.
 *
 *   bulk_fi_caps [-d DEVICE]
 *
 * Prints "ok NAME" or "FAIL NAME: why" per check, then the counts line.
 * Needs FI_PROVIDER_PATH to reach libbulk-fi.so unless it is installed.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fi_harness.h"

static bool test_info(void)
{
	if (strcmp(info->fabric_attr->prov_name, "bulk"))
		return fails("provider %s", info->fabric_attr->prov_name);
	if (info->ep_attr->type != FI_EP_RDM)
		return fails("endpoint type %d", info->ep_attr->type);
	if (info->tx_attr->inject_size != EAGER_MAX)
		return fails("inject_size %zu", info->tx_attr->inject_size);
	/* Without these Open MPI's mtl ofi never sees a completion. */
	if (!(info->tx_attr->op_flags & FI_COMPLETION) ||
	    !(info->rx_attr->op_flags & FI_COMPLETION))
		return fails("the FI_COMPLETION asked for is not kept");
	if (info->domain_attr->cq_data_size < 4)
		return fails("cq_data_size %zu",
			     info->domain_attr->cq_data_size);
	return true;
}

static bool test_sizes(bool tagged)
{
	static const size_t sizes[] = { 0, 1, 4096, EAGER_MAX, EAGER_MAX + 1,
					BIG };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!transfer(A, B, sizes[i], tagged, (int)i)) {
			size_t n = strlen(why);

			snprintf(why + n, sizeof(why) - n, " (%zu bytes)",
				 sizes[i]);
			return false;
		}
	return true;
}

/* Receives match by tag and ignore mask, not by the order posted. */
static bool test_tag_matching(void)
{
	uint64_t r1 = 0, r2 = 0, s1 = 0x100, s2 = 0x2ff;
	struct comp c;
	int i;

	if (fi_trecv(B->ep, &r1, sizeof(r1), NULL, FI_ADDR_UNSPEC, 0x100, 0,
		     &r1) ||
	    fi_trecv(B->ep, &r2, sizeof(r2), NULL, FI_ADDR_UNSPEC, 0x200, 0xff,
		     &r2))
		return fails("trecv");
	if (fi_tsend(A->ep, &s2, sizeof(s2), NULL, B->addr, 0x2ff, NULL) ||
	    fi_tsend(A->ep, &s1, sizeof(s1), NULL, B->addr, 0x100, NULL))
		return fails("tsend");
	for (i = 0; i < 2; i++) {
		if (!ok_comp(B, &c, FI_RECV | FI_TAGGED))
			return false;
		if (c.e.op_context == &r2 && c.e.tag != 0x2ff)
			return fails("the masked receive got tag %#llx",
				     (unsigned long long)c.e.tag);
	}
	if (!ok_comp(A, &c, FI_SEND) || !ok_comp(A, &c, FI_SEND))
		return false;
	if (r1 != s1 || r2 != s2)
		return fails("r1 %#llx r2 %#llx", (unsigned long long)r1,
			     (unsigned long long)r2);
	return true;
}

/* Messages sent before their receive, eager and rendezvous, in order. */
static bool test_unexpected(void)
{
	static const size_t sizes[] = { 100, BIG };
	unsigned char *src[2], *dst[2];
	struct comp c;
	bool ok = false;
	int i;

	for (i = 0; i < 2; i++) {
		src[i] = malloc(sizes[i]);
		dst[i] = calloc(1, sizes[i]);
		if (!src[i] || !dst[i])
			return fails("no memory");
		fill(src[i], sizes[i], 40 + i);
		if (fi_tsend(A->ep, src[i], sizes[i], NULL, B->addr, 5, NULL))
			return fails("tsend");
	}
	/* Let both arrive at B before anything is posted there. */
	if (!quiet(B, 300))
		goto out;
	for (i = 0; i < 2; i++)
		if (fi_trecv(B->ep, dst[i], sizes[i], NULL, A->addr, 5, 0,
			     dst[i])) {
			fails("trecv");
			goto out;
		}
	for (i = 0; i < 2; i++) {
		if (!ok_comp(B, &c, FI_RECV | FI_TAGGED))
			goto out;
		if (c.e.op_context != dst[i] || c.e.len != sizes[i]) {
			fails("message %d: %zu bytes into %p", i, c.e.len,
			      c.e.op_context);
			goto out;
		}
		if (!same(dst[i], sizes[i], 40 + i))
			goto out;
	}
	ok = ok_comp(A, &c, FI_SEND) && ok_comp(A, &c, FI_SEND);
out:
	for (i = 0; i < 2; i++) {
		free(src[i]);
		free(dst[i]);
	}
	return ok;
}

/* A message longer than its buffer: FI_ETRUNC, the start delivered. */
static bool test_truncation(size_t len)
{
	unsigned char *src = malloc(len), *dst = calloc(1, len);
	size_t room = len / 2;
	struct comp c;
	bool ok = false;

	if (!src || !dst)
		goto out;
	fill(src, len, 3);
	if (fi_trecv(B->ep, dst, room, NULL, A->addr, 9, 0, dst) ||
	    fi_tsend(A->ep, src, len, NULL, B->addr, 9, NULL)) {
		fails("post");
		goto out;
	}
	if (!err_comp(B, &c, FI_ETRUNC))
		goto out;
	if (c.err.op_context != dst || c.err.len != room ||
	    c.err.olen != len - room) {
		fails("len %zu olen %zu context %p", c.err.len, c.err.olen,
		      c.err.op_context);
		goto out;
	}
	if (!same(dst, room, 3))
		goto out;
	if (dst[room] != 0) {
		fails("byte %zu past the buffer was written", room);
		goto out;
	}
	ok = ok_comp(A, &c, FI_SEND);
out:
	free(src);
	free(dst);
	return ok;
}

static ssize_t trecv_flags(struct side *s, void *buf, size_t len,
			   uint64_t tag, void *ctx, uint64_t flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct fi_msg_tagged msg = {
		.msg_iov = &iov,
		.iov_count = buf ? 1 : 0,
		.addr = FI_ADDR_UNSPEC,
		.tag = tag,
		.context = ctx,
	};

	return fi_trecvmsg(s->ep, &msg, flags | FI_COMPLETION);
}

static bool test_peek_claim(void)
{
	struct fi_context ctx;
	uint64_t out = 0x5eed, in = 0;
	struct comp c;

	if (trecv_flags(B, NULL, 0, 0x42, &ctx, FI_PEEK) ||
	    !err_comp(B, &c, FI_ENOMSG))
		return why[0] ? false : fails("peek on nothing");
	if (fi_tsend(A->ep, &out, sizeof(out), NULL, B->addr, 0x42, NULL) ||
	    !ok_comp(A, &c, FI_SEND) || !quiet(B, 200))
		return why[0] ? false : fails("tsend");
	if (trecv_flags(B, NULL, 0, 0x42, &ctx, FI_PEEK) ||
	    !ok_comp(B, &c, FI_RECV | FI_TAGGED))
		return why[0] ? false : fails("peek");
	if (c.e.len != sizeof(out) || c.e.tag != 0x42)
		return fails("peek saw %zu bytes, tag %#llx", c.e.len,
			     (unsigned long long)c.e.tag);
	if (trecv_flags(B, NULL, 0, 0x42, &ctx, FI_PEEK | FI_CLAIM) ||
	    !ok_comp(B, &c, FI_RECV | FI_TAGGED))
		return why[0] ? false : fails("peek and claim");
	/* Claimed: a receive by tag no longer finds it ... */
	if (trecv_flags(B, NULL, 0, 0x42, NULL, FI_PEEK) ||
	    !err_comp(B, &c, FI_ENOMSG))
		return why[0] ? false : fails("a claimed message is peeked");
	/* ... but the claim with its context does. */
	if (trecv_flags(B, &in, sizeof(in), 0x42, &ctx, FI_CLAIM) ||
	    !ok_comp(B, &c, FI_RECV | FI_TAGGED))
		return why[0] ? false : fails("claim");
	return in == out || fails("claimed %#llx", (unsigned long long)in);
}

static bool test_cancel(void)
{
	uint64_t buf = 0, out = 7, again = 0;
	struct comp c;
	int ret;

	if (fi_trecv(B->ep, &buf, sizeof(buf), NULL, FI_ADDR_UNSPEC, 0x99, 0,
		     &buf))
		return fails("trecv");
	ret = fi_cancel(&B->ep->fid, &buf);
	if (ret)
		return fails("fi_cancel: %s", fi_strerror(-ret));
	if (!err_comp(B, &c, FI_ECANCELED))
		return false;
	if (c.err.op_context != &buf)
		return fails("cancelled context %p", c.err.op_context);
	if (fi_cancel(&B->ep->fid, &buf) != -FI_ENOENT)
		return fails("a second cancel does not say -FI_ENOENT");
	/* A message for that tag now goes to the next receive, not there. */
	if (fi_tsend(A->ep, &out, sizeof(out), NULL, B->addr, 0x99, NULL) ||
	    fi_trecv(B->ep, &again, sizeof(again), NULL, FI_ADDR_UNSPEC, 0x99,
		     0, &again))
		return fails("post");
	if (!ok_comp(B, &c, FI_RECV) || !ok_comp(A, &c, FI_SEND))
		return false;
	return (buf == 0 && again == out) ||
	       fails("cancelled buffer %llu, next %llu",
		     (unsigned long long)buf, (unsigned long long)again);
}

/* FI_DIRECTED_RECV: a receive for C's messages does not take A's. */
static bool test_directed(void)
{
	uint64_t from_a = 0, from_c = 0, a = 0xa, cv = 0xc;
	struct comp c;

	if (fi_trecv(B->ep, &from_c, 8, NULL, C->addr, 1, 0, &from_c))
		return fails("trecv");
	if (fi_tsend(A->ep, &a, 8, NULL, B->addr, 1, NULL) ||
	    !ok_comp(A, &c, FI_SEND) || !quiet(B, 200))
		return why[0] ? false : fails("A's message matched C's receive");
	if (fi_tsend(C->ep, &cv, 8, NULL, B->addr, 1, NULL) ||
	    !ok_comp(B, &c, FI_RECV) || !ok_comp(C, &c, FI_SEND))
		return why[0] ? false : fails("tsend from C");
	if (from_c != 0xc)
		return fails("the receive for C got %#llx",
			     (unsigned long long)from_c);
	if (fi_trecv(B->ep, &from_a, 8, NULL, A->addr, 1, 0, &from_a) ||
	    !ok_comp(B, &c, FI_RECV))
		return why[0] ? false : fails("trecv from A");
	return from_a == 0xa || fails("from A %#llx",
				      (unsigned long long)from_a);
}

static bool test_cq_data(size_t len)
{
	unsigned char *src = calloc(1, len), *dst = calloc(1, len);
	struct comp c;
	bool ok = false;

	if (!src || !dst)
		goto out;
	if (fi_trecv(B->ep, dst, len, NULL, A->addr, 3, 0, dst) ||
	    fi_tsenddata(A->ep, src, len, NULL, 0xfeedbeef, B->addr, 3,
			 NULL)) {
		fails("post");
		goto out;
	}
	if (!ok_comp(B, &c, FI_RECV | FI_REMOTE_CQ_DATA))
		goto out;
	if (c.e.data != 0xfeedbeef) {
		fails("data %#llx", (unsigned long long)c.e.data);
		goto out;
	}
	ok = ok_comp(A, &c, FI_SEND);
out:
	free(src);
	free(dst);
	return ok;
}

/* An RMA of A's to B's MR of @key that must fail: say how. */
static bool rma_fails(bool read, void *buf, size_t len, uint64_t off,
		      uint64_t key, const char *what)
{
	struct comp c;
	ssize_t ret;

	ret = read ? fi_read(A->ep, buf, len, NULL, B->addr, off, key, buf) :
		     fi_write(A->ep, buf, len, NULL, B->addr, off, key, buf);
	if (ret)
		return fails("%s: refused at once: %zd", what, ret);
	if (!next(A, &c))
		return false;
	if (!c.error || c.err.op_context != buf)
		return fails("%s: %s", what, c.error ? "another context" :
							 "it completed");
	printf("# %s: %s\n", what, fi_strerror(c.err.err));
	return true;
}

/*
 * FI_RMA: A writes and reads B's MR by the key B's application chose;
 * the grant B's provider makes covers the MR and its access, no more,
 * and ends with the MR.
 */
static bool test_rma(void)
{
	const size_t len = BIG, off = 4096, size = BIG + 2 * 4096;
	unsigned char *target = calloc(1, size), *src = malloc(len);
	unsigned char *back = calloc(1, len);
	struct fid_mr *mr = NULL, *ro = NULL, *dup = NULL;
	struct comp c;
	bool ok = false;
	int ret;

	if (!target || !src || !back)
		goto out;
	fill(src, len, 21);
	ret = fi_mr_reg(domain, target, size, FI_REMOTE_READ | FI_REMOTE_WRITE,
			0, 0x77, 0, &mr, NULL);
	if (ret) {
		fails("fi_mr_reg: %s", fi_strerror(-ret));
		goto out;
	}
	ret = fi_mr_reg(domain, back, 64, FI_REMOTE_READ, 0, 0x77, 0, &dup,
			NULL);
	if (ret != -FI_ENOKEY) {
		fails("a key in use: %d, not -FI_ENOKEY", ret);
		goto out;
	}
	/* 8 KiB from 4 KiB before the end: past it, refused. */
	if (!rma_fails(false, src, 8192, size - 4096, 0x77, "past the MR's end") ||
	    !rma_fails(false, src, 8, 0, 0x99, "an unknown key"))
		goto out;
	if (fi_write(A->ep, src, len, NULL, B->addr, off, 0x77, src) ||
	    !ok_comp(A, &c, FI_RMA | FI_WRITE))
		goto out_why;
	if (!same(target + off, len, 21))
		goto out;
	if (target[off - 1] || target[off + len]) {
		fails("a byte beside the written range changed");
		goto out;
	}
	if (fi_read(A->ep, back, len, NULL, B->addr, off, 0x77, back) ||
	    !ok_comp(A, &c, FI_RMA | FI_READ) || !same(back, len, 21))
		goto out_why;
	ret = fi_mr_reg(domain, back, 4096, FI_REMOTE_READ, 0, 0x78, 0, &ro,
			NULL);
	if (ret) {
		fails("fi_mr_reg read-only: %s", fi_strerror(-ret));
		goto out;
	}
	if (!rma_fails(false, src, 64, 0, 0x78, "a write to a read-only MR"))
		goto out;
	if (fi_read(A->ep, src, 64, NULL, B->addr, 0, 0x78, src) ||
	    !ok_comp(A, &c, FI_RMA | FI_READ))
		goto out_why;
	/* fi_inject_write: no completion; a READ after it sees its bytes. */
	fill(src, 64, 22);
	memset(back, 0, 64);
	if (fi_inject_write(A->ep, src, 64, B->addr, 0, 0x77) ||
	    fi_read(A->ep, back, 64, NULL, B->addr, 0, 0x77, back) ||
	    !ok_comp(A, &c, FI_RMA | FI_READ))
		goto out_why;
	if (c.e.op_context != back) {
		fails("the inject completed (context %p)", c.e.op_context);
		goto out;
	}
	if (!same(back, 64, 22))
		goto out;
	/* After fi_close(), no byte moves: the grants are revoked. */
	fi_close(&mr->fid);
	mr = NULL;
	memset(target, 0, size);
	if (!rma_fails(false, src, 64, off, 0x77,
		       "a write after fi_close(), through the revoked grant") ||
	    !rma_fails(false, src, 64, off, 0x77,
		       "again, asking for a grant anew"))
		goto out;
	ok = !target[off] || fails("the closed MR was written");
	goto out;
out_why:
	if (!why[0])
		fails("post failed");
out:
	if (mr)
		fi_close(&mr->fid);
	if (ro)
		fi_close(&ro->fid);
	if (dup)
		fi_close(&dup->fid);
	free(target);
	free(src);
	free(back);
	return ok;
}

/* Injected sends complete nothing at the sender; too long is refused. */
static bool test_inject(void)
{
	static unsigned char big[EAGER_MAX + 1];
	uint64_t out = 77, in = 0;
	struct comp c;
	int ret;

	if (fi_trecv(B->ep, &in, 8, NULL, A->addr, 4, 0, &in) ||
	    fi_tinject(A->ep, &out, 8, B->addr, 4))
		return fails("post");
	out = 0;	/* the buffer is free again once inject returns */
	if (!ok_comp(B, &c, FI_RECV) || !quiet(A, 200))
		return false;
	if (in != 77)
		return fails("received %llu", (unsigned long long)in);
	ret = fi_tinject(A->ep, big, sizeof(big), B->addr, 4);
	return ret == -FI_EINVAL ||
	       fails("inject of %zu bytes: %d", sizeof(big), ret);
}

/* FI_SELECTIVE_COMPLETION on B: only receives asked for complete. */
static bool test_selective(void)
{
	uint64_t in1 = 0, in2 = 0, out = 5;
	struct iovec iov = { .iov_base = &in1, .iov_len = 8 };
	struct fi_msg_tagged msg = {
		.msg_iov = &iov, .iov_count = 1, .addr = FI_ADDR_UNSPEC,
		.tag = 6, .context = &in1,
	};
	struct comp c;

	if (fi_trecvmsg(B->ep, &msg, 0))	/* no FI_COMPLETION */
		return fails("trecvmsg");
	/* fi_trecv takes the default flags, FI_COMPLETION from the info. */
	if (fi_trecv(B->ep, &in2, 8, NULL, FI_ADDR_UNSPEC, 6, 0, &in2))
		return fails("trecv");
	if (fi_tsend(A->ep, &out, 8, NULL, B->addr, 6, NULL) ||
	    fi_tsend(A->ep, &out, 8, NULL, B->addr, 6, NULL))
		return fails("tsend");
	if (!ok_comp(B, &c, FI_RECV))
		return false;
	if (c.e.op_context != &in2)
		return fails("the completion is of %p, not %p",
			     c.e.op_context, (void *)&in2);
	return (ok_comp(A, &c, FI_SEND) && ok_comp(A, &c, FI_SEND) &&
		quiet(B, 200) && in1 == 5 && in2 == 5) ||
	       (why[0] ? false : fails("in1 %llu in2 %llu",
				      (unsigned long long)in1,
				      (unsigned long long)in2));
}

struct later {
	struct side *from, *to;
	int delay_ms;
	uint64_t value;
};

static void *send_later(void *arg)
{
	struct later *l = arg;

	usleep(l->delay_ms * 1000);
	fi_tinject(l->from->ep, &l->value, 8, l->to->addr, 8);
	return NULL;
}

/* fi_cq_sread sleeps until the timeout, or until a completion comes. */
static bool test_sread(void)
{
	struct later l = { .from = A, .to = B, .delay_ms = 400, .value = 9 };
	struct fi_cq_tagged_entry e;
	uint64_t in = 0;
	pthread_t t;
	long start;
	ssize_t n;

	start = now_ms();
	n = fi_cq_sread(B->cq, &e, 1, NULL, 300);
	if (n != -FI_EAGAIN)
		return fails("sread on nothing: %zd", n);
	if (now_ms() - start < 250)
		return fails("sread returned after %ld ms of 300",
			     now_ms() - start);
	if (fi_trecv(B->ep, &in, 8, NULL, FI_ADDR_UNSPEC, 8, 0, &in))
		return fails("trecv");
	if (pthread_create(&t, NULL, send_later, &l))
		return fails("pthread_create");
	n = fi_cq_sread(B->cq, &e, 1, NULL, WAIT_MS);
	pthread_join(t, NULL);
	if (n != 1)
		return fails("sread with a message due: %zd (%s)", n,
			     fi_strerror((int)-n));
	return (e.op_context == &in && in == 9) ||
	       fails("sread got context %p, value %llu", e.op_context,
		     (unsigned long long)in);
}

/* Bad use gets libfabric's errors, and nothing breaks. */
static bool test_bad_input(void)
{
	struct fi_cq_attr attr = { .format = FI_CQ_FORMAT_TAGGED,
				   .wait_obj = FI_WAIT_SET };
	struct fi_cq_err_entry err;
	struct fid_ep *ep;
	struct fid_cq *cq;
	uint64_t v = 0;
	char junk[32];
	fi_addr_t addr;
	ssize_t ret;

	ret = fi_tsend(A->ep, NULL, 8, NULL, B->addr, 0, NULL);
	if (ret != -FI_EINVAL)
		return fails("NULL buffer: %zd", ret);
	ret = fi_tsend(A->ep, &v, 8, NULL, 12345, 0, NULL);
	if (ret != -FI_EINVAL)
		return fails("an address not in the AV: %zd", ret);
	ret = fi_writedata(A->ep, &v, 8, NULL, 1, B->addr, 0, 0, NULL);
	if (ret != -FI_ENOSYS)
		return fails("fi_writedata: %zd", ret);
	ret = fi_cq_open(domain, &attr, &cq, NULL);
	if (ret != -FI_ENOSYS)
		return fails("a CQ with a wait set: %zd", ret);
	attr.wait_obj = FI_WAIT_NONE;
	attr.format = (enum fi_cq_format)99;
	ret = fi_cq_open(domain, &attr, &cq, NULL);
	if (ret != -FI_ENOSYS)
		return fails("CQ format 99: %zd", ret);
	ret = fi_cq_readerr(A->cq, &err, 1);
	if (ret != -FI_EBADFLAGS)
		return fails("readerr with flags: %zd", ret);
	memset(junk, 0xab, sizeof(junk));
	ret = fi_av_insert(av, junk, 1, &addr, 0, NULL);
	if (ret != 0 || addr != FI_ADDR_NOTAVAIL)
		return fails("a junk address: %zd, addr %llu", ret,
			     (unsigned long long)addr);
	ret = fi_endpoint(domain, info, &ep, NULL);
	if (ret)
		return fails("fi_endpoint: %zd", ret);
	ret = fi_tsend(ep, &v, 8, NULL, B->addr, 0, NULL);
	fi_close(&ep->fid);
	if (ret != -FI_EOPBADSTATE)
		return fails("send before fi_enable: %zd", ret);
	/* And the endpoints still work. */
	return transfer(A, B, 64, true, 11);
}

/* A peer that went away: an error completion, and the rest still works. */
static bool test_peer_gone(void)
{
	struct comp c;
	ssize_t ret;
	int i;

	close_side(C);
	for (i = 0; i < 2; i++) {
		size_t len = i ? BIG : 8;
		unsigned char *buf = calloc(1, len);
		bool got;

		if (!buf)
			return fails("no memory");
		ret = fi_tsend(A->ep, buf, len, NULL, C->addr, 0, buf);
		if (ret) {
			free(buf);
			return fails("tsend of %zu bytes to the closed endpoint refused at once: %s",
				     len, fi_strerror((int)-ret));
		}
		got = next(A, &c);
		if (got && (!c.error || c.err.op_context != buf))
			got = fails("%zu bytes to a closed endpoint: %s", len,
				    c.error ? "another context" : "completed");
		free(buf);
		if (!got)
			return false;
		printf("# %zu bytes to a closed endpoint: %s\n", len,
		       fi_strerror(c.err.err));
	}
	return transfer(A, B, 100, true, 12) && transfer(A, B, BIG, true, 13);
}

int main(int argc, char **argv)
{
	const char *dev = NULL;
	int opt, ret, round;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd') {
			fprintf(stderr, "usage: %s [-d DEVICE]\n", argv[0]);
			return 2;
		}
		dev = optarg;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The whole set on FI_AV_TABLE; the basics again on FI_AV_MAP. */
	for (round = 0; round < 2; round++) {
		enum fi_av_type type = round ? FI_AV_MAP : FI_AV_TABLE;
		const char *t = round ? "map" : "table";
		char name[64];

		ret = open_all(dev, type, round ? 0 : FI_SELECTIVE_COMPLETION);
		snprintf(name, sizeof(name), "open three endpoints (AV %s)", t);
		check(name, !ret || fails("%s", fi_strerror(-ret)));
		if (ret) {
			close_all();
			continue;
		}
		snprintf(name, sizeof(name), "FI_MSG 0 B to 1 MiB (AV %s)", t);
		check(name, test_sizes(false));
		snprintf(name, sizeof(name), "FI_TAGGED 0 B to 1 MiB (AV %s)", t);
		check(name, test_sizes(true));
		if (!round) {
			check("fi_getinfo attributes", test_info());
			check("tag matching with ignore mask", test_tag_matching());
			check("unexpected messages, eager and rendezvous",
			      test_unexpected());
			check("truncation FI_ETRUNC (eager)", test_truncation(1000));
			check("truncation FI_ETRUNC (rendezvous)",
			      test_truncation(BIG));
			check("FI_PEEK and FI_CLAIM", test_peek_claim());
			check("fi_cancel of a receive", test_cancel());
			check("FI_DIRECTED_RECV", test_directed());
			check("FI_REMOTE_CQ_DATA (eager)", test_cq_data(8));
			check("FI_REMOTE_CQ_DATA (rendezvous)", test_cq_data(BIG));
			check("FI_RMA: write, read, inject, bounds, keys, access, close",
			      test_rma());
			check("fi_tinject", test_inject());
			check("FI_SELECTIVE_COMPLETION", test_selective());
			check("fi_cq_sread timeout and wake-up", test_sread());
			check("bad input gets -FI_* errors", test_bad_input());
			check("a closed peer: error completion, others unharmed",
			      test_peer_gone());
		}
		close_all();
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
