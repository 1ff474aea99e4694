// The machine a benchmark ran on, measured in the same run as the layers:
// the CPU's name, the f32 FMA peak (bench/peak_fma.cc) and the copy
// bandwidth (STREAM-style copy), so that a Zen 4 table and a Zen 5 table are
// each read against their own roof.
#ifndef TCONV_BENCH_MACHINE_H_
#define TCONV_BENCH_MACHINE_H_

#include <cstdint>
#include <string>

namespace tconv {
namespace bench {

// "AMD EPYC 9R45 (family 26 model 2), 2 CPUs" from /proc/cpuinfo, or
// "unknown CPU".
std::string CpuModel();

// The Highway target the peak kernel ran (the widest this CPU has, e.g.
// "AVX3_ZEN4" or "AVX2").
std::string PeakIsa();

// f32 GFLOP/s of independent FMA chains on `threads` OpenMP threads (a
// multiply-add counted as 2 flops); best of a few 50 ms batches.
double PeakGflops(int threads);

// Copy bandwidth in GB/s (bytes read + bytes written, as STREAM counts it)
// of a copy whose working set (source + destination) is `footprint_bytes`,
// on `threads` threads: the memory level a layer of that footprint lives in.
// Best of memcpy and a plain loop, of several repetitions.
double CopyGBps(int64_t footprint_bytes, int threads);

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_MACHINE_H_
