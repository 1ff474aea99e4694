// The limits every tconv entry point checks before it allocates or spawns
// anything (README "Errors"), so that no request, however large its numbers,
// crashes, hangs or is left to the kernel's OOM killer:
//
//  * threads: 1 .. MaxThreads() = 4 x the CPUs online (libgomp crashed on
//    100000 threads, and more threads than 4 per CPU only add overhead);
//  * memory: the bytes a request plans to hold (output, workspace, packed
//    weights; for the CLI also the intermediates it allocates) must not
//    exceed a limit: by default the machine's physical memory, or the
//    caller's (PlanOptions::max_memory_bytes, ConvOptions::max_memory_bytes,
//    `--max-memory`);
//  * sizes: per-axis values within 2^30 and tensors within 2^40 elements
//    (ValidateConvTranspose / ValidateConv, include/tconv/desc.h).
#ifndef TCONV_LIMITS_H_
#define TCONV_LIMITS_H_

#include <cstdint>
#include <string>

#include "tconv/status.h"

namespace tconv {

// Physical memory of the machine in bytes (sysconf), detected once.
int64_t PhysicalMemoryBytes();
// CPUs online, detected once (at least 1).
int OnlineCpus();
// Largest thread count tconv accepts: 4 x OnlineCpus().
int MaxThreads();

// "threads must be >= 1 (got 0)" / "threads must be <= 8 (4 x 2 CPUs) (got
// 100000)"; `what` names the parameter ("threads", "--threads").
Status CheckThreads(const std::string& what, int64_t threads);

// The effective memory limit: `limit` when > 0, else PhysicalMemoryBytes().
int64_t MemoryLimitBytes(int64_t limit);

// Fails with kOutOfMemory when `bytes` exceeds MemoryLimitBytes(limit):
// "<what> needs 10.0 TiB, more than the memory limit 24.0 GiB (physical
// memory; set PlanOptions::max_memory_bytes or --max-memory)". `bytes` ==
// INT64_MAX stands for a size that does not fit in 64 bits.
Status CheckMemory(const std::string& what, int64_t bytes, int64_t limit);

// "512 B", "1.5 KiB", "10.0 TiB" for messages.
std::string FormatBytes(int64_t bytes);

}  // namespace tconv

#endif  // TCONV_LIMITS_H_
