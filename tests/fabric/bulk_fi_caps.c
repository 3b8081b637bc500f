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
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>
#include <rdma/fi_tagged.h>

#define EAGER_MAX	16288u	/* the inject size fi_bulk(7) states */
#define BIG		(1u << 20)
#define WAIT_MS		20000

struct comp {
	bool error;
	struct fi_cq_tagged_entry e;
	struct fi_cq_err_entry err;
	fi_addr_t src;
};

struct side {
	const char *name;
	struct fid_ep *ep;
	struct fid_cq *cq;
	fi_addr_t addr;		/* in the shared AV */
	struct comp queue[64];
	int count;
};

static struct fi_info *info;
static struct fid_fabric *fabric;
static struct fid_domain *domain;
static struct fid_av *av;
static struct side sides[3] = { { .name = "A" }, { .name = "B" },
				{ .name = "C" } };
static struct side *const A = &sides[0], *const B = &sides[1],
		   *const C = &sides[2];
static int passed, failed;
static char why[256];

/* Say why the check in hand failed; false, to return. */
static bool __attribute__((format(printf, 1, 2))) fails(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

static void check(const char *name, bool ok)
{
	if (ok) {
		passed++;
		printf("ok %s\n", name);
	} else {
		failed++;
		printf("FAIL %s: %s\n", name, why);
	}
	fflush(stdout);
	why[0] = '\0';
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read every side's CQ once (manual progress needs both ends read). */
static void pump(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		struct side *s = &sides[i];
		struct comp *c;
		ssize_t n;

		if (!s->cq || s->count == 64)
			continue;
		c = &s->queue[s->count];
		memset(c, 0, sizeof(*c));
		n = fi_cq_readfrom(s->cq, &c->e, 1, &c->src);
		if (n == 1) {
			s->count++;
		} else if (n == -FI_EAVAIL) {
			if (fi_cq_readerr(s->cq, &c->err, 0) == 1) {
				c->error = true;
				s->count++;
			}
		}
	}
}

/* The next completion of @s, within WAIT_MS. */
static bool next(struct side *s, struct comp *out)
{
	long end = now_ms() + WAIT_MS;

	while (!s->count) {
		if (now_ms() > end)
			return fails("no completion on %s in %d ms", s->name,
				     WAIT_MS);
		pump();
	}
	*out = s->queue[0];
	memmove(s->queue, s->queue + 1, --s->count * sizeof(s->queue[0]));
	return true;
}

/* Nothing more arrives on @s for @ms. */
static bool quiet(struct side *s, int ms)
{
	long end = now_ms() + ms;

	while (now_ms() < end)
		pump();
	if (s->count)
		return fails("%s has an unexpected completion (flags %#llx, context %p, len %zu, tag %#llx)",
			     s->name, (unsigned long long)s->queue[0].e.flags,
			     s->queue[0].e.op_context, s->queue[0].e.len,
			     (unsigned long long)s->queue[0].e.tag);
	return true;
}

static bool ok_comp(struct side *s, struct comp *c, uint64_t flags)
{
	if (!next(s, c))
		return false;
	if (c->error)
		return fails("%s: error completion %d (%s)", s->name,
			     c->err.err, fi_strerror(c->err.err));
	if ((c->e.flags & flags) != flags)
		return fails("%s: flags %#llx lack %#llx", s->name,
			     (unsigned long long)c->e.flags,
			     (unsigned long long)flags);
	return true;
}

static bool err_comp(struct side *s, struct comp *c, int err)
{
	if (!next(s, c))
		return false;
	if (!c->error)
		return fails("%s: success where error %d was due", s->name,
			     err);
	if (c->err.err != err)
		return fails("%s: error %d (%s), not %d", s->name, c->err.err,
			     fi_strerror(c->err.err), err);
	return true;
}

static void fill(unsigned char *buf, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 7 + seed);
}

static bool same(const unsigned char *buf, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != (unsigned char)(i * 7 + seed))
			return fails("byte %zu is %u, not %u", i, buf[i],
				     (unsigned char)(i * 7 + seed));
	return true;
}

static struct fi_info *bulk_hints(enum fi_av_type av_type)
{
	struct fi_info *hints = fi_allocinfo();

	if (!hints)
		return NULL;
	hints->ep_attr->type = FI_EP_RDM;
	hints->caps = FI_MSG | FI_TAGGED | FI_DIRECTED_RECV | FI_SOURCE;
	hints->mode = FI_CONTEXT;
	hints->domain_attr->av_type = av_type;
	hints->tx_attr->op_flags = FI_COMPLETION;
	hints->rx_attr->op_flags = FI_COMPLETION;
	hints->fabric_attr->prov_name = strdup("bulk");
	return hints;
}

static int open_side(struct side *s, enum fi_cq_format format,
		     uint64_t bind)
{
	struct fi_cq_attr cq_attr = { .format = format };
	char name[64];
	size_t len = sizeof(name);
	int ret;

	ret = fi_endpoint(domain, info, &s->ep, NULL);
	if (!ret)
		ret = fi_cq_open(domain, &cq_attr, &s->cq, NULL);
	if (!ret)
		ret = fi_ep_bind(s->ep, &s->cq->fid, FI_TRANSMIT | FI_RECV | bind);
	if (!ret)
		ret = fi_ep_bind(s->ep, &av->fid, 0);
	if (!ret)
		ret = fi_enable(s->ep);
	if (!ret)
		ret = fi_getname(&s->ep->fid, name, &len);
	if (!ret && fi_av_insert(av, name, 1, &s->addr, 0, NULL) != 1)
		ret = -FI_EINVAL;
	return ret;
}

static void close_side(struct side *s)
{
	if (s->ep)
		fi_close(&s->ep->fid);
	if (s->cq)
		fi_close(&s->cq->fid);
	s->ep = NULL;
	s->cq = NULL;
	s->count = 0;
}

static int open_all(const char *dev, enum fi_av_type av_type,
		    uint64_t b_bind)
{
	struct fi_info *hints = bulk_hints(av_type);
	struct fi_av_attr av_attr = { .type = av_type };
	int ret;

	if (!hints)
		return -FI_ENOMEM;
	if (dev)
		hints->domain_attr->name = strdup(dev);
	ret = fi_getinfo(FI_VERSION(1, 17), NULL, NULL, 0, hints, &info);
	fi_freeinfo(hints);
	if (ret)
		return ret;
	ret = fi_fabric(info->fabric_attr, &fabric, NULL);
	if (!ret)
		ret = fi_domain(fabric, info, &domain, NULL);
	if (!ret)
		ret = fi_av_open(domain, &av_attr, &av, NULL);
	if (!ret)
		ret = open_side(A, FI_CQ_FORMAT_TAGGED, 0);
	if (!ret)
		ret = open_side(B, FI_CQ_FORMAT_TAGGED, b_bind);
	if (!ret)
		ret = open_side(C, FI_CQ_FORMAT_TAGGED, 0);
	return ret;
}

static void close_all(void)
{
	int i;

	for (i = 0; i < 3; i++)
		close_side(&sides[i]);
	if (av)
		fi_close(&av->fid);
	if (domain)
		fi_close(&domain->fid);
	if (fabric)
		fi_close(&fabric->fid);
	fi_freeinfo(info);
	av = NULL;
	domain = NULL;
	fabric = NULL;
	info = NULL;
}

/* One message of @len from @from to @to, through FI_MSG or FI_TAGGED. */
static bool transfer(struct side *from, struct side *to, size_t len,
		     bool tagged, int seed)
{
	unsigned char *src = malloc(len ? len : 1), *dst = calloc(1, len + 1);
	struct comp c;
	bool ok = false;
	int ret;

	if (!src || !dst)
		goto out;
	fill(src, len, seed);
	ret = tagged ? fi_trecv(to->ep, dst, len, NULL, from->addr, 0x77, 0,
				dst) :
		       fi_recv(to->ep, dst, len, NULL, from->addr, dst);
	if (ret) {
		fails("recv: %s", fi_strerror(-ret));
		goto out;
	}
	ret = tagged ? fi_tsend(from->ep, src, len, NULL, to->addr, 0x77, src) :
		       fi_send(from->ep, src, len, NULL, to->addr, src);
	if (ret) {
		fails("send: %s", fi_strerror(-ret));
		goto out;
	}
	if (!ok_comp(to, &c, FI_RECV | (tagged ? FI_TAGGED : FI_MSG)))
		goto out;
	if (c.e.op_context != dst || c.e.len != len) {
		fails("receive: context %p len %zu, not %p %zu", c.e.op_context,
		      c.e.len, (void *)dst, len);
		goto out;
	}
	if (tagged && c.e.tag != 0x77) {
		fails("tag %#llx", (unsigned long long)c.e.tag);
		goto out;
	}
	if (c.src != from->addr) {
		fails("FI_SOURCE: %llu, not %llu", (unsigned long long)c.src,
		      (unsigned long long)from->addr);
		goto out;
	}
	if (!ok_comp(from, &c, FI_SEND) || !same(dst, len, seed))
		goto out;
	if (c.e.op_context != src) {
		fails("send context %p, not %p", c.e.op_context, (void *)src);
		goto out;
	}
	ok = dst[len] == 0 || fails("a byte past the buffer was written");
out:
	free(src);
	free(dst);
	return ok;
}

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
	ret = fi_write(A->ep, &v, 8, NULL, B->addr, 0, 0, NULL);
	if (ret != -FI_ENOSYS)
		return fails("fi_write: %zd", ret);
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
