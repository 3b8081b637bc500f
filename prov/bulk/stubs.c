// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * What the provider does not do answers -FI_ENOSYS, so an application
 * that calls it gets an error, not a crash.
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
