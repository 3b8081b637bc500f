// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Opening a device by name, for the tools and the test programs alike; it
 * reports failure instead of exiting, so programs that return their
 * errors can use it too.
 */
#include <errno.h>
#include <string.h>
#include "device.h"

struct ibv_context *find_device(const char *name)
{
	struct ibv_device **list = ibv_get_device_list(NULL);
	struct ibv_context *ctx = NULL;
	int i, err = ENODEV;

	if (!list)
		return NULL;	/* errno from ibv_get_device_list() */
	for (i = 0; list[i]; i++) {
		if (!name || !strcmp(ibv_get_device_name(list[i]), name)) {
			ctx = ibv_open_device(list[i]);
			err = ctx ? 0 : errno;
			break;
		}
	}
	ibv_free_device_list(list);
	if (!ctx)
		errno = err ?: ENODEV;
	return ctx;
}
