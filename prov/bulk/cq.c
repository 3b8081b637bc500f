// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Completion queues: a ring of completions in the widest format, handed
 * out in the one the CQ was opened with, and a list of error entries.
 * Reading a CQ progresses the endpoints bound to it; fi_cq_sread() sleeps
 * in poll() on their rdma-bulk file descriptors, which turn readable when
 * the kernel has completions for them.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fi_bulk.h"

static size_t bulk_fi_cq_entry_size(enum fi_cq_format format)
{
	switch (format) {
	case FI_CQ_FORMAT_CONTEXT:
		return sizeof(struct fi_cq_entry);
	case FI_CQ_FORMAT_MSG:
		return sizeof(struct fi_cq_msg_entry);
	case FI_CQ_FORMAT_DATA:
		return sizeof(struct fi_cq_data_entry);
	case FI_CQ_FORMAT_TAGGED:
		return sizeof(struct fi_cq_tagged_entry);
	default:
		return 0;
	}
}

/*
 * A full ring grows rather than lose a completion: the application's CQ
 * size is a hint, and what is in flight is bounded by the endpoints.
 */
static int bulk_fi_cq_grow(struct bulk_fi_cq *cq)
{
	struct bulk_fi_cq_entry *ring;
	size_t i;

	ring = calloc(2 * cq->size, sizeof(*ring));
	if (!ring)
		return -FI_ENOMEM;
	for (i = 0; i < cq->count; i++)
		ring[i] = cq->ring[(cq->head + i) % cq->size];
	free(cq->ring);
	cq->ring = ring;
	cq->head = 0;
	cq->size *= 2;
	return 0;
}

void bulk_fi_cq_report(struct bulk_fi_cq *cq, void *context, uint64_t flags,
		       size_t len, void *buf, uint64_t data, uint64_t tag,
		       fi_addr_t src)
{
	struct bulk_fi_cq_entry *e;

	if (cq->count == cq->size && bulk_fi_cq_grow(cq)) {
		cq->overflow++;
		BF_WARN(FI_LOG_CQ, "no memory: a completion is lost\n");
		return;
	}
	e = &cq->ring[(cq->head + cq->count) % cq->size];
	e->e.op_context = context;
	e->e.flags = flags;
	e->e.len = len;
	e->e.buf = buf;
	e->e.data = data;
	e->e.tag = tag;
	e->src = src;
	cq->count++;
}

void bulk_fi_cq_report_err(struct bulk_fi_cq *cq, void *context,
			   uint64_t flags, int err, size_t len, size_t olen,
			   uint64_t data, uint64_t tag)
{
	struct bulk_fi_cq_err *ce = calloc(1, sizeof(*ce));

	if (!ce) {
		cq->overflow++;
		return;
	}
	ce->e.op_context = context;
	ce->e.flags = flags;
	ce->e.len = len;
	ce->e.olen = olen;
	ce->e.data = data;
	ce->e.tag = tag;
	ce->e.err = err;
	ce->e.prov_errno = err;
	bf_list_add_tail(&cq->errors, &ce->link);
}

int bulk_fi_cq_attach(struct bulk_fi_cq *cq, struct bulk_fi_ep *ep)
{
	int i;

	for (i = 0; i < cq->num_eps; i++)
		if (cq->eps[i] == ep)
			return 0;
	if (cq->num_eps == BULK_FI_CQ_MAX_EPS)
		return -FI_ENOSPC;
	cq->eps[cq->num_eps++] = ep;
	return 0;
}

void bulk_fi_cq_detach(struct bulk_fi_cq *cq, struct bulk_fi_ep *ep)
{
	int i;

	for (i = 0; i < cq->num_eps; i++) {
		if (cq->eps[i] == ep) {
			cq->eps[i] = cq->eps[--cq->num_eps];
			return;
		}
	}
}

static void bulk_fi_cq_progress(struct bulk_fi_cq *cq)
{
	int i;

	for (i = 0; i < cq->num_eps; i++)
		bulk_fi_progress(cq->eps[i]);
}

/* Copy out up to @count entries; the domain's lock is held. */
static ssize_t bulk_fi_cq_copy(struct bulk_fi_cq *cq, void *buf,
			       size_t count, fi_addr_t *src)
{
	size_t size = bulk_fi_cq_entry_size(cq->format), n = 0;
	unsigned char *out = buf;

	while (n < count && cq->count) {
		struct bulk_fi_cq_entry *e = &cq->ring[cq->head];

		memcpy(out + n * size, &e->e, size);
		if (src)
			src[n] = e->src;
		cq->head = (cq->head + 1) % cq->size;
		cq->count--;
		n++;
	}
	if (n)
		return n;
	if (!bf_list_empty(&cq->errors))
		return -FI_EAVAIL;
	return -FI_EAGAIN;
}

static ssize_t bulk_fi_cq_readfrom(struct fid_cq *fid, void *buf,
				   size_t count, fi_addr_t *src)
{
	struct bulk_fi_cq *cq = bf_container_of(fid, struct bulk_fi_cq, cq);
	ssize_t ret;

	if (!count)
		return 0;
	if (!buf)
		return -FI_EINVAL;
	pthread_mutex_lock(&cq->dom->lock);
	if (!bf_list_empty(&cq->errors)) {
		ret = -FI_EAVAIL;
	} else {
		bulk_fi_cq_progress(cq);
		ret = bulk_fi_cq_copy(cq, buf, count, src);
	}
	pthread_mutex_unlock(&cq->dom->lock);
	return ret;
}

static ssize_t bulk_fi_cq_read(struct fid_cq *cq, void *buf, size_t count)
{
	return bulk_fi_cq_readfrom(cq, buf, count, NULL);
}

static ssize_t bulk_fi_cq_readerr(struct fid_cq *fid,
				  struct fi_cq_err_entry *buf, uint64_t flags)
{
	struct bulk_fi_cq *cq = bf_container_of(fid, struct bulk_fi_cq, cq);
	struct bulk_fi_cq_err *ce;

	if (flags)
		return -FI_EBADFLAGS;
	pthread_mutex_lock(&cq->dom->lock);
	if (bf_list_empty(&cq->errors)) {
		pthread_mutex_unlock(&cq->dom->lock);
		return -FI_EAGAIN;
	}
	ce = bf_container_of(cq->errors.next, struct bulk_fi_cq_err, link);
	bf_list_del(&ce->link);
	pthread_mutex_unlock(&cq->dom->lock);
	/* No provider data: err_data_size 0 tells the caller so. */
	ce->e.err_data = buf->err_data;
	ce->e.err_data_size = 0;
	*buf = ce->e;
	free(ce);
	return 1;
}

static int bulk_fi_elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

static ssize_t bulk_fi_cq_sreadfrom(struct fid_cq *fid, void *buf,
				    size_t count, fi_addr_t *src,
				    const void *cond, int timeout)
{
	struct bulk_fi_cq *cq = bf_container_of(fid, struct bulk_fi_cq, cq);
	struct pollfd fds[BULK_FI_CQ_MAX_EPS];
	struct timespec start;
	ssize_t ret;

	(void)cond;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int i, n = 0, wait = timeout, retrying = 0, probing = 0;

		ret = bulk_fi_cq_readfrom(fid, buf, count, src);
		if (ret != -FI_EAGAIN)
			return ret;
		if (timeout >= 0) {
			wait = timeout - bulk_fi_elapsed_ms(&start);
			if (wait <= 0)
				return -FI_EAGAIN;
		}
		pthread_mutex_lock(&cq->dom->lock);
		for (i = 0; i < cq->num_eps; i++) {
			struct bulk_fi_ep *ep = cq->eps[i];

			if (!ep->bep)
				continue;
			fds[n].fd = ibv_bulk_ep_fd(ep->bep);
			fds[n].events = POLLIN;
			n++;
			retrying |= !bf_list_empty(&ep->retry);
			probing |= !bf_list_empty(&ep->rndv);
		}
		pthread_mutex_unlock(&cq->dom->lock);
		/* Sends waiting for the receiver's buffers are retried. */
		if (retrying && (wait < 0 || wait > 1))
			wait = 1;
		/* Receivers that owe a FIN are probed (bulk_fi_probe_peers). */
		if (probing && (wait < 0 || wait > BULK_FI_PROBE_MS))
			wait = BULK_FI_PROBE_MS;
		if (poll(fds, n, wait) < 0 && errno != EINTR)
			return -errno;
	}
}

static ssize_t bulk_fi_cq_sread(struct fid_cq *cq, void *buf, size_t count,
				const void *cond, int timeout)
{
	return bulk_fi_cq_sreadfrom(cq, buf, count, NULL, cond, timeout);
}

static int bulk_fi_cq_signal(struct fid_cq *cq)
{
	(void)cq;
	return -FI_ENOSYS;
}

static const char *bulk_fi_cq_strerror(struct fid_cq *cq, int prov_errno,
				       const void *err_data, char *buf,
				       size_t len)
{
	(void)cq;
	(void)err_data;
	if (buf && len)
		snprintf(buf, len, "%s", fi_strerror(prov_errno));
	return fi_strerror(prov_errno);
}

static struct fi_ops_cq bulk_fi_cq_ops = {
	.size = sizeof(struct fi_ops_cq),
	.read = bulk_fi_cq_read,
	.readfrom = bulk_fi_cq_readfrom,
	.readerr = bulk_fi_cq_readerr,
	.sread = bulk_fi_cq_sread,
	.sreadfrom = bulk_fi_cq_sreadfrom,
	.signal = bulk_fi_cq_signal,
	.strerror = bulk_fi_cq_strerror,
};

static int bulk_fi_cq_close(struct fid *fid)
{
	struct bulk_fi_cq *cq = bf_container_of(fid, struct bulk_fi_cq, cq.fid);
	struct bf_list *pos, *tmp;

	pthread_mutex_lock(&cq->dom->lock);
	if (cq->num_eps) {
		pthread_mutex_unlock(&cq->dom->lock);
		return -FI_EBUSY;
	}
	cq->dom->refs--;
	pthread_mutex_unlock(&cq->dom->lock);
	bf_list_for_each_safe(pos, tmp, &cq->errors)
		free(bf_container_of(pos, struct bulk_fi_cq_err, link));
	free(cq->ring);
	free(cq);
	return 0;
}

static struct fi_ops bulk_fi_cq_fi_ops = {
	.size = sizeof(struct fi_ops),
	.close = bulk_fi_cq_close,
	.bind = bulk_fi_no_bind,
	.control = bulk_fi_no_control,
	.ops_open = bulk_fi_no_ops_open,
};

int bulk_fi_cq_open(struct fid_domain *domain, struct fi_cq_attr *attr,
		    struct fid_cq **cqp, void *context)
{
	struct bulk_fi_domain *dom =
		bf_container_of(domain, struct bulk_fi_domain, domain);
	struct bulk_fi_cq *cq;

	if (!attr)
		return -FI_EINVAL;
	if (attr->format == FI_CQ_FORMAT_UNSPEC)
		attr->format = FI_CQ_FORMAT_CONTEXT;
	if (!bulk_fi_cq_entry_size(attr->format))
		return -FI_ENOSYS;
	if (attr->wait_obj != FI_WAIT_NONE && attr->wait_obj != FI_WAIT_UNSPEC)
		return -FI_ENOSYS;
	if (attr->wait_cond != FI_CQ_COND_NONE || attr->flags)
		return -FI_ENOSYS;
	cq = calloc(1, sizeof(*cq));
	if (!cq)
		return -FI_ENOMEM;
	cq->size = attr->size ? attr->size : 4 * BULK_FI_CQ_DEPTH;
	cq->ring = calloc(cq->size, sizeof(*cq->ring));
	if (!cq->ring) {
		free(cq);
		return -FI_ENOMEM;
	}
	cq->dom = dom;
	cq->format = attr->format;
	bf_list_init(&cq->errors);
	cq->cq.fid.fclass = FI_CLASS_CQ;
	cq->cq.fid.context = context;
	cq->cq.fid.ops = &bulk_fi_cq_fi_ops;
	cq->cq.ops = &bulk_fi_cq_ops;
	pthread_mutex_lock(&dom->lock);
	dom->refs++;
	pthread_mutex_unlock(&dom->lock);
	*cqp = &cq->cq;
	return 0;
}
