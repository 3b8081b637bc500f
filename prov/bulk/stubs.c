// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * What the provider does not do answers -FI_ENOSYS: the operation tables
 * libfabric's inline calls go through are never NULL, so an application
 * that calls fi_write() or fi_atomic() on a bulk endpoint gets an error,
 * not a crash.
 */
#include "fi_bulk.h"

int bulk_fi_no_bind(struct fid *fid, struct fid *bfid, uint64_t flags)
{
	(void)fid;
	(void)bfid;
	(void)flags;
	return -FI_ENOSYS;
}

int bulk_fi_no_control(struct fid *fid, int command, void *arg)
{
	(void)fid;
	(void)command;
	(void)arg;
	return -FI_ENOSYS;
}

int bulk_fi_no_ops_open(struct fid *fid, const char *name, uint64_t flags,
			void **ops, void *context)
{
	(void)fid;
	(void)name;
	(void)flags;
	(void)ops;
	(void)context;
	return -FI_ENOSYS;
}

#define NO_RMA(...) { (void)ep; return -FI_ENOSYS; }

static ssize_t no_rma_read(struct fid_ep *ep, void *buf, size_t len,
			   void *desc, fi_addr_t src, uint64_t addr,
			   uint64_t key, void *context)
{
	(void)buf; (void)len; (void)desc; (void)src; (void)addr; (void)key;
	(void)context;
	NO_RMA();
}

static ssize_t no_rma_readv(struct fid_ep *ep, const struct iovec *iov,
			    void **desc, size_t count, fi_addr_t src,
			    uint64_t addr, uint64_t key, void *context)
{
	(void)iov; (void)desc; (void)count; (void)src; (void)addr; (void)key;
	(void)context;
	NO_RMA();
}

static ssize_t no_rma_msg(struct fid_ep *ep, const struct fi_msg_rma *msg,
			  uint64_t flags)
{
	(void)msg; (void)flags;
	NO_RMA();
}

static ssize_t no_rma_write(struct fid_ep *ep, const void *buf, size_t len,
			    void *desc, fi_addr_t dest, uint64_t addr,
			    uint64_t key, void *context)
{
	(void)buf; (void)len; (void)desc; (void)dest; (void)addr; (void)key;
	(void)context;
	NO_RMA();
}

static ssize_t no_rma_writev(struct fid_ep *ep, const struct iovec *iov,
			     void **desc, size_t count, fi_addr_t dest,
			     uint64_t addr, uint64_t key, void *context)
{
	(void)iov; (void)desc; (void)count; (void)dest; (void)addr;
	(void)key; (void)context;
	NO_RMA();
}

static ssize_t no_rma_inject(struct fid_ep *ep, const void *buf, size_t len,
			     fi_addr_t dest, uint64_t addr, uint64_t key)
{
	(void)buf; (void)len; (void)dest; (void)addr; (void)key;
	NO_RMA();
}

static ssize_t no_rma_writedata(struct fid_ep *ep, const void *buf,
				size_t len, void *desc, uint64_t data,
				fi_addr_t dest, uint64_t addr, uint64_t key,
				void *context)
{
	(void)buf; (void)len; (void)desc; (void)data; (void)dest; (void)addr;
	(void)key; (void)context;
	NO_RMA();
}

static ssize_t no_rma_injectdata(struct fid_ep *ep, const void *buf,
				 size_t len, uint64_t data, fi_addr_t dest,
				 uint64_t addr, uint64_t key)
{
	(void)buf; (void)len; (void)data; (void)dest; (void)addr; (void)key;
	NO_RMA();
}

struct fi_ops_rma bulk_fi_no_rma_ops = {
	.size = sizeof(struct fi_ops_rma),
	.read = no_rma_read,
	.readv = no_rma_readv,
	.readmsg = no_rma_msg,
	.write = no_rma_write,
	.writev = no_rma_writev,
	.writemsg = no_rma_msg,
	.inject = no_rma_inject,
	.writedata = no_rma_writedata,
	.injectdata = no_rma_injectdata,
};
