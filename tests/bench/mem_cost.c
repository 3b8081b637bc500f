// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * bulk_mem_cost: the kernel memory an endpoint, a connection handle and
 * the node's connection take. It opens N endpoints, then N handles from
 * one endpoint to another (through the node's own address, which makes
 * the node's loopback connection first if there is none), and reads how
 * much the kernel's slab and vmalloc memory grew at each step, divided by
 * N. Other activity on the node shows in single figures, hence a large
 * N; every object is closed at the end and what came back is printed
 * too, as a check of the noise.
 *   bulk_mem_cost DEVICE ADDR [N]     (default 256)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <infiniband/bulk.h>
#include "common.h"

const char *tool_name = "bulk_mem_cost";

/* A "Name:   N kB" field of @path, in KiB. */
static long field_kb(const char *path, const char *name)
{
	size_t len = strlen(name);
	char line[256];
	long v = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		die(path, errno);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	if (v < 0)
		die(name, ENOENT);
	return v;
}

/*
 * KiB the kernel holds in slab (which also counts kmalloc's large
 * allocations) and vmalloc: where endpoints, handles and QPs live. Page
 * cache and process memory, which MemFree mixes in, are left out.
 */
static long kernel_kb(void)
{
	/* Let deferred frees (RCU, work items) land first. */
	usleep(200000);
	return field_kb("/proc/meminfo", "Slab") +
	       field_kb("/proc/meminfo", "VmallocUsed");
}

static long rc_qps(const char *dev)
{
	char cmd[128], line[512];
	long n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "rdma resource show qp link %s/1", dev);
	p = popen(cmd, "r");
	if (!p)
		die("popen", errno);
	while (fgets(line, sizeof(line), p))
		n += !!strstr(line, " type RC ");
	pclose(p);
	return n;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 3 ? strtoul(argv[3], NULL, 0) : 256;
	struct sockaddr_in node = { .sin_family = AF_INET };
	long k0, k1, k2, k3, k4, qps0, qps1;
	double per_conn;
	struct ibv_bulk_conn **conns;
	struct ibv_bulk_ep **eps;
	struct ibv_context *ctx;
	struct ibv_bulk_ep *a, *z;
	unsigned int i;

	if (argc < 3 || !n || inet_pton(AF_INET, argv[2], &node.sin_addr) != 1) {
		fprintf(stderr, "usage: bulk_mem_cost DEVICE ADDR [N]\n");
		return 2;
	}
	eps = calloc(n, sizeof(*eps));
	conns = calloc(n, sizeof(*conns));
	if (!eps || !conns)
		die("calloc", ENOMEM);
	ctx = open_device(argv[1]);
	a = ibv_bulk_ep_open(ctx, NULL);
	z = ibv_bulk_ep_open(ctx, NULL);
	if (!a || !z)
		die("ibv_bulk_ep_open", errno);

	k0 = kernel_kb();
	for (i = 0; i < n; i++) {
		eps[i] = ibv_bulk_ep_open(ctx, NULL);
		if (!eps[i])
			die("ibv_bulk_ep_open", errno);
	}
	k1 = kernel_kb();

	qps0 = rc_qps(argv[1]);
	conns[0] = ibv_bulk_connect(a, (struct sockaddr *)&node,
				    ibv_bulk_ep_id(z));
	if (!conns[0])
		die("ibv_bulk_connect", errno);
	qps1 = rc_qps(argv[1]);
	k2 = kernel_kb();
	for (i = 1; i < n; i++) {
		conns[i] = ibv_bulk_connect(a, (struct sockaddr *)&node,
					    ibv_bulk_ep_id(z));
		if (!conns[i])
			die("ibv_bulk_connect", errno);
	}
	k3 = kernel_kb();

	for (i = 0; i < n; i++)
		if (ibv_bulk_disconnect(conns[i]) || ibv_bulk_ep_close(eps[i]))
			die("teardown", EIO);
	k4 = kernel_kb();

	/* Per handle: the first one also made the connection, if any. */
	per_conn = (double)(k3 - k2) / (n > 1 ? n - 1 : 1);
	printf("kernel memory (slab and vmalloc), %u of each:\n", n);
	printf("  endpoint (completion ring of %u): %.1f KiB each\n",
	       ibv_bulk_ep_cq_depth(a), (double)(k1 - k0) / n);
	printf("  connection handle: %.1f KiB each\n", per_conn);
	if (qps1 > qps0)
		printf("  the node's connection (to itself: %ld RC QPs): %ld KiB with its first handle\n",
		       qps1 - qps0, k2 - k1);
	else
		printf("  the node's connection existed already (not measured)\n");
	printf("  given back when they were closed (the node's connection stays): %ld of %ld KiB\n",
	       k3 - k4, k3 - k0);
	printf("RESULT ep_kernel_kib %.1f\n", (double)(k1 - k0) / n);
	printf("RESULT conn_handle_kernel_kib %.1f\n", per_conn);
	if (qps1 > qps0)
		printf("RESULT node_conn_kernel_kib %ld\n", k2 - k1);
	if (ibv_bulk_ep_close(a) || ibv_bulk_ep_close(z))
		die("ibv_bulk_ep_close", EIO);
	ibv_close_device(ctx);
	return 0;
}
