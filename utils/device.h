/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
#ifndef IBBULK_UTILS_DEVICE_H
#define IBBULK_UTILS_DEVICE_H

#include <infiniband/verbs.h>

/*
 * The device called @name (NULL: the first one), opened; NULL with errno
 * set (ENODEV: no such device) when that fails.
 */
struct ibv_context *find_device(const char *name);

#endif /* IBBULK_UTILS_DEVICE_H */
