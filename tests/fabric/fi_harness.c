// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * What the provider's test programs share: three endpoints A, B and C in
 * one process on one device and one address vector, completions gathered
 * per endpoint (manual progress: every CQ is read while one waits), and
 * the checks' bookkeeping ("ok NAME" / "FAIL NAME: why").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fi_harness.h"

struct fi_info *info;
struct fid_fabric *fabric;
struct fid_domain *domain;
struct fid_av *av;
struct side sides[3] = { { .name = "A" }, { .name = "B" },
				{ .name = "C" } };
struct side *const A = &sides[0], *const B = &sides[1],
		   *const C = &sides[2];
int passed, failed;
char why[256];

/* Say why the check in hand failed; false, to return. */
bool fails(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

void check(const char *name, bool ok)
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

long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read every side's CQ once (manual progress needs both ends read). */
void pump(void)
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
bool next(struct side *s, struct comp *out)
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
bool quiet(struct side *s, int ms)
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

bool ok_comp(struct side *s, struct comp *c, uint64_t flags)
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

bool err_comp(struct side *s, struct comp *c, int err)
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

void fill(unsigned char *buf, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 7 + seed);
}

bool same(const unsigned char *buf, size_t len, int seed)
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

int open_side(struct side *s, enum fi_cq_format format, uint64_t bind)
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

void close_side(struct side *s)
{
	if (s->ep)
		fi_close(&s->ep->fid);
	if (s->cq)
		fi_close(&s->cq->fid);
	s->ep = NULL;
	s->cq = NULL;
	s->count = 0;
}

int open_all(const char *dev, enum fi_av_type av_type, uint64_t b_bind)
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

void close_all(void)
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
bool transfer(struct side *from, struct side *to, size_t len, bool tagged,
	      int seed)
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

/* Wait up to @secs for DIR/NAME, making progress meanwhile. */
bool await_file(const char *dir, const char *name, int secs)
{
	char path[4096];
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (n = 0; access(path, F_OK); n++) {
		if (n >= secs * 5)
			return fails("no %s after %d s", path, secs);
		pump();
		usleep(200000);
	}
	return true;
}

/* DIR/NAME with @len bytes of @buf, whole or not at all (a rename). */
int put_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[4096], tmp[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s", dir, name);
	f = fopen(tmp, "w");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) ||
	    rename(tmp, path)) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Up to @size bytes of DIR/NAME into @buf: how many, or -1. */
ssize_t get_file(const char *dir, const char *name, void *buf, size_t size)
{
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, size, f);
	fclose(f);
	return (ssize_t)n;
}

/* main() of a two-node program: ROLE DIR [-d DEVICE], one function a role. */
int run_role(int argc, char **argv, const struct role roles[2])
{
	const char *dev = NULL;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[3], "-d"))
		dev = argv[4];
	else if (argc != 3)
		goto usage;
	for (i = 0; i < 2; i++)
		if (!strcmp(argv[1], roles[i].name))
			return roles[i].run(argv[2], dev);
usage:
	fprintf(stderr, "usage: %s %s|%s DIR [-d DEVICE]\n", argv[0],
		roles[0].name, roles[1].name);
	return 2;
}
