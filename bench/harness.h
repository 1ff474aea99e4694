// The benchmark harness shared by bench/layers.cc (Google Benchmark) and the
// `tconv bench` command: the layer suite from layers.json, runners for tconv
// algorithms and for oneDNN's deconvolution in the same process, and a timer.
//
// A Runner owns its tensors (random inputs, prepared plan or primitive) so a
// measurement is only Run() in a loop. GFLOP/s always come from
// tconv::ConvTransposeFlops (the nominal count of layers.json).
//
// oneDNN runners (compiled only when CMake finds libdnnl; HaveOnednn()):
//  * "onednn"      : oneDNN's best configuration. format_tag::any everywhere,
//                    tensors already in the layouts it chose; no reorders timed.
//                    This is the peer the targets are measured against.
//  * "onednn_nchw" : what a plain-NCHW user pays. format_tag::any for the
//                    primitive, user tensors nchw; the src reorder into the
//                    chosen layout and the dst reorder back are INCLUDED in
//                    the time (the weight reorder is done once, outside, just
//                    as tconv packs weights once in Plan::Create).
#ifndef TCONV_BENCH_HARNESS_H_
#define TCONV_BENCH_HARNESS_H_

#include <memory>
#include <string>
#include <vector>

#include "tconv/desc.h"
#include "tconv/layout.h"
#include "tconv/status.h"
#include "tconv/tuning.h"

namespace tconv {
namespace bench {

struct Layer {
  std::string name;
  std::string source;
  ConvDesc desc;
};

// $TCONV_SHARED_DIR/bench/layers.json when the environment variable is set,
// else the compile-time TCONV_SHARED_DIR (passed by CMake).
std::string DefaultLayersPath();
Status LoadLayers(const std::string& path, std::vector<Layer>* layers);

class Runner {
 public:
  virtual ~Runner() = default;
  virtual void Run() = 0;
  // What actually ran, e.g. "phase f32_phase_pixels_8x3__avx512" or
  // oneDNN's impl_info_str().
  virtual std::string Impl() const = 0;
};

// algo: a Plan algorithm name (AlgorithmNames()) or "phase_fast" (the SIMD
// fast path called directly through src/algo/phase_fast.h, so it can be
// measured before the general `phase` algorithm is registered; NCHW only).
// layout: of the plan's x and y (Plan conversions timed).
// tuning: PlanOptions::phase (e.g. a kernel forced by `tconv bench --kernel`).
std::unique_ptr<Runner> MakeTconvRunner(const Layer& layer, const std::string& algo, int threads, std::string* why,
                                        Layout layout = Layout::kNCHW, const PhaseTuning& tuning = PhaseTuning());
// variant: "onednn", "onednn_nchw" or "onednn_nhwc" (see above). nullptr + *why when
// oneDNN is absent or rejects the layer.
std::unique_ptr<Runner> MakeOnednnRunner(const Layer& layer, const std::string& variant, int threads,
                                         std::string* why);
bool HaveOnednn();

// tconv algorithms worth timing on the suite: every registered algorithm
// except `ref` (double-precision loops; minutes on the big layers), plus
// "phase_fast".
std::vector<std::string> BenchAlgorithms();

// Sets the OpenMP thread count used by oneDNN (and by anything else that
// reads omp_get_max_threads).
void SetOmpThreads(int threads);

// Seconds per Run(): one warm-up run, then `reps` batches of at least
// min_batch_seconds each; returns the fastest batch's mean (the least
// disturbed by other processes on a shared machine).
double TimeRunner(Runner* r, double min_batch_seconds = 0.05, int reps = 5);

inline double Gflops(const Layer& l, double seconds) {
  return static_cast<double>(ConvTransposeFlops(l.desc)) / seconds * 1e-9;
}

}  // namespace bench
}  // namespace tconv

#endif  // TCONV_BENCH_HARNESS_H_
