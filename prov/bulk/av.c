// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Address vectors: a table of endpoint names. FI_AV_TABLE and FI_AV_MAP
 * both hand out the index as the fi_addr_t (a map's addresses are the
 * provider's to choose), so lookups are O(1) either way; removed slots are
 * not reused, so a stale fi_addr_t never names another endpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fi_bulk.h"

static int bulk_fi_av_close(struct fid *fid)
{
	struct bulk_fi_av *av = bf_container_of(fid, struct bulk_fi_av, av.fid);
	struct bulk_fi_domain *dom = av->dom;

	pthread_mutex_lock(&dom->lock);
	if (av->refs) {
		pthread_mutex_unlock(&dom->lock);
		return -FI_EBUSY;
	}
	dom->refs--;
	pthread_mutex_unlock(&dom->lock);
	free(av->names);
	free(av->valid);
	free(av);
	return 0;
}

static struct fi_ops bulk_fi_av_fi_ops = {
	.size = sizeof(struct fi_ops),
	.close = bulk_fi_av_close,
	.bind = bulk_fi_no_bind,
	.control = bulk_fi_no_control,
	.ops_open = bulk_fi_no_ops_open,
};

static int bulk_fi_av_grow(struct bulk_fi_av *av, size_t need)
{
	size_t size = av->size ? av->size : 16;
	struct bulk_fi_name *names;
	bool *valid;

	while (size < need)
		size *= 2;
	if (size == av->size)
		return 0;
	names = realloc(av->names, size * sizeof(*names));
	if (!names)
		return -FI_ENOMEM;
	av->names = names;
	valid = realloc(av->valid, size * sizeof(*valid));
	if (!valid)
		return -FI_ENOMEM;
	av->valid = valid;
	av->size = size;
	return 0;
}

static int bulk_fi_av_insert(struct fid_av *fid, const void *addr,
			     size_t count, fi_addr_t *fi_addr, uint64_t flags,
			     void *context)
{
	struct bulk_fi_av *av = bf_container_of(fid, struct bulk_fi_av, av);
	const struct bulk_fi_name *names = addr;
	size_t i;
	int ret, done = 0;

	(void)context;
	if (flags & ~FI_MORE)
		return -FI_EBADFLAGS;	/* no FI_EVENT: no EQ is bound */
	if (count && !addr)
		return -FI_EINVAL;
	pthread_mutex_lock(&av->dom->lock);
	ret = bulk_fi_av_grow(av, av->count + count);
	if (ret)
		goto out;
	for (i = 0; i < count; i++) {
		if (bulk_fi_name_check(&names[i], sizeof(names[i])) ||
		    !names[i].ep_id) {
			if (fi_addr)
				fi_addr[i] = FI_ADDR_NOTAVAIL;
			continue;
		}
		av->names[av->count] = names[i];
		av->valid[av->count] = true;
		if (fi_addr)
			fi_addr[i] = av->count;
		av->count++;
		done++;
	}
	ret = done;
out:
	pthread_mutex_unlock(&av->dom->lock);
	return ret;
}

static int bulk_fi_av_insertsvc(struct fid_av *av, const char *node,
				const char *service, fi_addr_t *fi_addr,
				uint64_t flags, void *context)
{
	(void)av;
	(void)node;
	(void)service;
	(void)fi_addr;
	(void)flags;
	(void)context;
	return -FI_ENOSYS;	/* a name has an endpoint id, not a service */
}

static int bulk_fi_av_insertsym(struct fid_av *av, const char *node,
				size_t nodecnt, const char *service,
				size_t svccnt, fi_addr_t *fi_addr,
				uint64_t flags, void *context)
{
	(void)av;
	(void)node;
	(void)nodecnt;
	(void)service;
	(void)svccnt;
	(void)fi_addr;
	(void)flags;
	(void)context;
	return -FI_ENOSYS;
}

static int bulk_fi_av_remove(struct fid_av *fid, fi_addr_t *fi_addr,
			     size_t count, uint64_t flags)
{
	struct bulk_fi_av *av = bf_container_of(fid, struct bulk_fi_av, av);
	size_t i;
	int ret = 0;

	if (flags)
		return -FI_EBADFLAGS;
	pthread_mutex_lock(&av->dom->lock);
	for (i = 0; i < count; i++) {
		if (fi_addr[i] >= av->count || !av->valid[fi_addr[i]]) {
			ret = -FI_EINVAL;
			continue;
		}
		av->valid[fi_addr[i]] = false;
	}
	av->generation++;
	pthread_mutex_unlock(&av->dom->lock);
	return ret;
}

static int bulk_fi_av_lookup(struct fid_av *fid, fi_addr_t fi_addr,
			     void *addr, size_t *addrlen)
{
	struct bulk_fi_av *av = bf_container_of(fid, struct bulk_fi_av, av);
	const struct bulk_fi_name *name;
	size_t len = *addrlen;
	int ret = 0;

	pthread_mutex_lock(&av->dom->lock);
	name = bulk_fi_av_name(av, fi_addr);
	if (!name)
		ret = -FI_EINVAL;
	else
		memcpy(addr, name, len < sizeof(*name) ? len : sizeof(*name));
	pthread_mutex_unlock(&av->dom->lock);
	*addrlen = sizeof(*name);
	return ret;
}

static const char *bulk_fi_av_straddr(struct fid_av *av, const void *addr,
				      char *buf, size_t *len)
{
	char str[96];

	(void)av;
	if (bulk_fi_name_check(addr, sizeof(struct bulk_fi_name)))
		snprintf(str, sizeof(str), "fi_bulk://invalid");
	else
		bulk_fi_name_str(addr, str, sizeof(str));
	if (*len)
		snprintf(buf, *len, "%s", str);
	*len = strlen(str) + 1;
	return buf;
}

static int bulk_fi_av_no_set(struct fid_av *av, struct fi_av_set_attr *attr,
			     struct fid_av_set **av_set, void *context)
{
	(void)av;
	(void)attr;
	(void)av_set;
	(void)context;
	return -FI_ENOSYS;
}

static struct fi_ops_av bulk_fi_av_ops = {
	.size = sizeof(struct fi_ops_av),
	.insert = bulk_fi_av_insert,
	.insertsvc = bulk_fi_av_insertsvc,
	.insertsym = bulk_fi_av_insertsym,
	.remove = bulk_fi_av_remove,
	.lookup = bulk_fi_av_lookup,
	.straddr = bulk_fi_av_straddr,
	.av_set = bulk_fi_av_no_set,
};

/* The name behind @addr, or NULL; the domain's lock is held. */
const struct bulk_fi_name *bulk_fi_av_name(struct bulk_fi_av *av,
					   fi_addr_t addr)
{
	if (!av || addr >= av->count || !av->valid[addr])
		return NULL;
	return &av->names[addr];
}

/* The fi_addr_t of @name for FI_SOURCE (a scan: peers cache it). */
fi_addr_t bulk_fi_av_reverse(struct bulk_fi_av *av,
			     const struct bulk_fi_name *name)
{
	size_t i;

	for (i = 0; av && i < av->count; i++)
		if (av->valid[i] && bulk_fi_name_eq(&av->names[i], name))
			return i;
	return FI_ADDR_NOTAVAIL;
}

int bulk_fi_av_open(struct fid_domain *domain, struct fi_av_attr *attr,
		    struct fid_av **avp, void *context)
{
	struct bulk_fi_domain *dom =
		bf_container_of(domain, struct bulk_fi_domain, domain);
	struct bulk_fi_av *av;
	int ret;

	if (!attr)
		return -FI_EINVAL;
	if (attr->type != FI_AV_UNSPEC && attr->type != FI_AV_MAP &&
	    attr->type != FI_AV_TABLE)
		return -FI_EINVAL;
	if (attr->flags & (FI_EVENT | FI_READ | FI_SYMMETRIC))
		return -FI_ENOSYS;
	if (attr->name)
		return -FI_ENOSYS;	/* no shared AVs */
	av = calloc(1, sizeof(*av));
	if (!av)
		return -FI_ENOMEM;
	av->dom = dom;
	av->type = attr->type == FI_AV_UNSPEC ? FI_AV_TABLE : attr->type;
	attr->type = av->type;
	ret = bulk_fi_av_grow(av, attr->count ? attr->count : 16);
	if (ret) {
		free(av->names);
		free(av->valid);
		free(av);
		return ret;
	}
	av->av.fid.fclass = FI_CLASS_AV;
	av->av.fid.context = context;
	av->av.fid.ops = &bulk_fi_av_fi_ops;
	av->av.ops = &bulk_fi_av_ops;
	pthread_mutex_lock(&dom->lock);
	dom->refs++;
	pthread_mutex_unlock(&dom->lock);
	*avp = &av->av;
	return 0;
}
