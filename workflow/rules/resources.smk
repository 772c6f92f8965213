# Threads, memory and runtime of the jobs, sized from the benchmarks.

import math

# Resources of the jobs, totals per job, sized from the benchmark files (bench/mesh.py,
# bench/inference.py, benchmarks/): a job starts at about 170 MB RSS (Python, numpy, pyarrow);
# per-point cost budgets are about 5x the measured ones.
SECONDS_PER_POINT = {"exact": 1e-6, "exhaustive": 2e-6, "newton": 5e-6, "relaxed": 5e-6}


SECONDS_PER_POINT_ITERATIVE = 2e-5


BASE_MEM_MB = 400


BYTES_PER_CHUNK_POINT = 1200


def relaxed_shard_runtime(wildcards):
    """Minutes a relaxed shard job may take: its points times the grid's budget, at least 5."""
    bounds = shard_params(wildcards)
    return max(
        5,
        math.ceil(
            (bounds["stop"] - bounds["start"]) * SECONDS_PER_POINT["relaxed"] / 60
        ),
    )


def chunk_mem_mb(bytes_per_point):
    """Megabytes of a job that holds one mesh chunk, ``bytes_per_point`` for each point."""
    chunk = min(config["mesh"]["chunk"], mesh_points_total())
    return BASE_MEM_MB + chunk * bytes_per_point // 1_000_000


def shard_mem_mb(wildcards):
    return chunk_mem_mb(BYTES_PER_CHUNK_POINT)


def shard_runtime(wildcards):
    """Minutes a shard job may take: its points times the method's budget, at least 5."""
    bounds = shard_params(wildcards)
    method = config["mesh"]["method"]
    per_point = SECONDS_PER_POINT.get(method, SECONDS_PER_POINT_ITERATIVE)
    return max(5, math.ceil((bounds["stop"] - bounds["start"]) * per_point / 60))


SMALL_JOB = {"mem_mb": 500, "runtime": 5}


TRACE_BYTES_PER_POINT = 4000  # the trace of ~60 gradient-descent iterates per point


def infer_threads(wildcards):
    """The mesh's points are split over 2 threads (identical results; numpy releases the GIL);
    the samples are too few to split (fewer than one block of 4096 points)."""
    return 2 if wildcards.points == "mesh" else 1


def infer_mem_mb(wildcards):
    if wildcards.points == "samples":
        return SMALL_JOB["mem_mb"]
    return chunk_mem_mb(BYTES_PER_CHUNK_POINT)


def trace_mem_mb(wildcards):
    if wildcards.points == "samples":
        return SMALL_JOB["mem_mb"]
    return chunk_mem_mb(TRACE_BYTES_PER_POINT)


def infer_runtime(wildcards):
    if wildcards.points == "samples":
        return SMALL_JOB["runtime"]
    return max(5, math.ceil(mesh_points_total() * SECONDS_PER_POINT_ITERATIVE * 5 / 60))


def summary_mem_mb(wildcards):
    """The summary reads one table at a time, five columns (26 bytes a point), which Arrow and
    numpy may both hold: 10^6 mesh points peak at 235-260 MiB (bench/memory.py)."""
    return BASE_MEM_MB + mesh_points_total() * 26 * 3 // 1_000_000
