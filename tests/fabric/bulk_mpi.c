// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * An MPI program as MPI users write them, run across two guests over the
 * bulk libfabric provider: a ping-pong from 8 B to 4 MiB whose every byte
 * is checked on both sides, then MPI_Allreduce on vectors of several
 * lengths, checked against the sum computed locally. Prints one line per
 * check and "mpi: N passed, N failed" on rank 0; exits 1 on any failure.
 *
 *   bulk_mpi                     the checks
 *   bulk_mpi --time SIZE ITERS   for the benchmark: rank 0 prints
 *                                "RESULT mpi_pingpong_usec T", T the mean
 *                                one-way time of ITERS ping-pongs of SIZE
 *                                bytes after one not timed
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char pattern(size_t i, int round, int from)
{
	return (unsigned char)(i * 131 + round * 7 + from * 29);
}

static int check_buf(const unsigned char *buf, size_t len, int round,
		     int from)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pattern(i, round, from))
			return 0;
	return 1;
}

static int pingpong(int rank, size_t len, int iters)
{
	unsigned char *buf = malloc(len ? len : 1);
	int peer = !rank, ok = 1, r;
	size_t i;

	if (!buf)
		return 0;
	for (r = 0; r < iters; r++) {
		if (rank == 0) {
			for (i = 0; i < len; i++)
				buf[i] = pattern(i, r, 0);
			MPI_Send(buf, (int)len, MPI_BYTE, peer, r, MPI_COMM_WORLD);
			memset(buf, 0, len);
			MPI_Recv(buf, (int)len, MPI_BYTE, peer, r, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			ok &= check_buf(buf, len, r, 1);
		} else {
			MPI_Recv(buf, (int)len, MPI_BYTE, peer, r, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			ok &= check_buf(buf, len, r, 0);
			for (i = 0; i < len; i++)
				buf[i] = pattern(i, r, 1);
			MPI_Send(buf, (int)len, MPI_BYTE, peer, r, MPI_COMM_WORLD);
		}
	}
	free(buf);
	/* Both sides' verdicts count. */
	MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
	return ok;
}

static int allreduce(int rank, int size, int n)
{
	int64_t *in = malloc(n * sizeof(*in)), *out = malloc(n * sizeof(*out));
	int ok = 1, i, r;

	if (!in || !out)
		return 0;
	for (i = 0; i < n; i++)
		in[i] = (int64_t)i * (rank + 1) + rank;
	MPI_Allreduce(in, out, n, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
	for (i = 0; i < n; i++) {
		int64_t want = 0;

		for (r = 0; r < size; r++)
			want += (int64_t)i * (r + 1) + r;
		if (out[i] != want)
			ok = 0;
	}
	free(in);
	free(out);
	MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
	return ok;
}

/* The benchmark's figure: no checks, the buffers stay as they are. */
static int time_pingpong(int rank, size_t len, int iters)
{
	unsigned char *buf = calloc(1, len ? len : 1);
	int peer = !rank, r;
	double start = 0;

	if (!buf)
		return 1;
	for (r = -1; r < iters; r++) {
		if (r == 0)
			start = MPI_Wtime();
		if (rank == 0) {
			MPI_Send(buf, (int)len, MPI_BYTE, peer, 1, MPI_COMM_WORLD);
			MPI_Recv(buf, (int)len, MPI_BYTE, peer, 1, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
		} else {
			MPI_Recv(buf, (int)len, MPI_BYTE, peer, 1, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			MPI_Send(buf, (int)len, MPI_BYTE, peer, 1, MPI_COMM_WORLD);
		}
	}
	if (!rank)
		printf("RESULT mpi_pingpong_usec %.1f\n",
		       (MPI_Wtime() - start) * 1e6 / (2.0 * iters));
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	static const int counts[] = { 1, 1000, 262144 };
	int rank, size, passed = 0, failed = 0;
	unsigned int k;
	size_t len;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (size != 2) {
		if (!rank)
			fprintf(stderr, "bulk_mpi: needs 2 ranks, has %d\n",
				size);
		MPI_Finalize();
		return 2;
	}
	if (argc == 4 && !strcmp(argv[1], "--time")) {
		int ret = time_pingpong(rank, strtoul(argv[2], NULL, 0),
					atoi(argv[3]) > 0 ? atoi(argv[3]) : 1);

		MPI_Finalize();
		return ret;
	}
	for (len = 8; len <= 4u << 20; len *= 8) {
		int ok = pingpong(rank, len, len >= (1u << 20) ? 2 : 4);

		if (!rank)
			printf("%s mpi pingpong %zu B\n", ok ? "ok" : "FAIL",
			       len);
		ok ? passed++ : failed++;
	}
	/* 4 MiB itself, the largest size asked for. */
	len = 4u << 20;
	k = pingpong(rank, len, 2);
	if (!rank)
		printf("%s mpi pingpong %zu B\n", k ? "ok" : "FAIL", len);
	k ? passed++ : failed++;
	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		int ok = allreduce(rank, size, counts[k]);

		if (!rank)
			printf("%s mpi allreduce %d x int64\n",
			       ok ? "ok" : "FAIL", counts[k]);
		ok ? passed++ : failed++;
	}
	if (!rank)
		printf("mpi: %d passed, %d failed\n", passed, failed);
	fflush(stdout);
	MPI_Finalize();
	return failed ? 1 : 0;
}
