// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Event queues. An FI_EP_RDM endpoint has no connection events and the
 * provider's AVs insert synchronously, so nothing is ever queued: an EQ
 * exists because applications (fi_pingpong among them) open one anyway.
 * Reads find it empty, and fi_eq_write() queues nothing either.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include "fi_bulk.h"

struct bulk_fi_eq {
	struct fid_eq eq;
	struct bulk_fi_fabric *fab;
};

static int bulk_fi_eq_close(struct fid *fid)
{
	struct bulk_fi_eq *eq = bf_container_of(fid, struct bulk_fi_eq, eq.fid);

	pthread_mutex_lock(&eq->fab->lock);
	eq->fab->refs--;
	pthread_mutex_unlock(&eq->fab->lock);
	free(eq);
	return 0;
}

static struct fi_ops bulk_fi_eq_fi_ops = {
	.size = sizeof(struct fi_ops),
	.close = bulk_fi_eq_close,
	.bind = bulk_fi_no_bind,
	.control = bulk_fi_no_control,
	.ops_open = bulk_fi_no_ops_open,
};

static ssize_t bulk_fi_eq_read(struct fid_eq *eq, uint32_t *event, void *buf,
			       size_t len, uint64_t flags)
{
	(void)eq;
	(void)event;
	(void)buf;
	(void)len;
	(void)flags;
	return -FI_EAGAIN;
}

static ssize_t bulk_fi_eq_readerr(struct fid_eq *eq,
				  struct fi_eq_err_entry *buf, uint64_t flags)
{
	(void)eq;
	(void)buf;
	(void)flags;
	return -FI_EAGAIN;
}

static ssize_t bulk_fi_eq_write(struct fid_eq *eq, uint32_t event,
				const void *buf, size_t len, uint64_t flags)
{
	(void)eq;
	(void)event;
	(void)buf;
	(void)len;
	(void)flags;
	return -FI_ENOSYS;
}

static ssize_t bulk_fi_eq_sread(struct fid_eq *eq, uint32_t *event,
				void *buf, size_t len, int timeout,
				uint64_t flags)
{
	(void)eq;
	(void)event;
	(void)buf;
	(void)len;
	(void)flags;
	/* Nothing will come: wait out the timeout as asked. */
	if (timeout < 0)
		return -FI_EINVAL;
	poll(NULL, 0, timeout);
	return -FI_EAGAIN;
}

static const char *bulk_fi_eq_strerror(struct fid_eq *eq, int prov_errno,
				       const void *err_data, char *buf,
				       size_t len)
{
	(void)eq;
	(void)err_data;
	if (buf && len)
		snprintf(buf, len, "%s", fi_strerror(prov_errno));
	return fi_strerror(prov_errno);
}

static struct fi_ops_eq bulk_fi_eq_ops = {
	.size = sizeof(struct fi_ops_eq),
	.read = bulk_fi_eq_read,
	.readerr = bulk_fi_eq_readerr,
	.write = bulk_fi_eq_write,
	.sread = bulk_fi_eq_sread,
	.strerror = bulk_fi_eq_strerror,
};

int bulk_fi_eq_open(struct fid_fabric *fabric, struct fi_eq_attr *attr,
		    struct fid_eq **eqp, void *context)
{
	struct bulk_fi_fabric *fab =
		bf_container_of(fabric, struct bulk_fi_fabric, fabric);
	struct bulk_fi_eq *eq;

	if (attr && attr->wait_obj != FI_WAIT_NONE &&
	    attr->wait_obj != FI_WAIT_UNSPEC)
		return -FI_ENOSYS;
	eq = calloc(1, sizeof(*eq));
	if (!eq)
		return -FI_ENOMEM;
	eq->fab = fab;
	eq->eq.fid.fclass = FI_CLASS_EQ;
	eq->eq.fid.context = context;
	eq->eq.fid.ops = &bulk_fi_eq_fi_ops;
	eq->eq.ops = &bulk_fi_eq_ops;
	pthread_mutex_lock(&fab->lock);
	fab->refs++;
	pthread_mutex_unlock(&fab->lock);
	*eqp = &eq->eq;
	return 0;
}
