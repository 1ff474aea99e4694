// The interface between the benchmark harness and the peer plugin
// (bench/peers/, built as the shared module libtconv_peers.so).
//
// The peers (oneDNN, XNNPACK) live in a separately loaded module so that the
// `tconv` commands that do not benchmark never map libdnnl, OpenCL or
// XNNPACK: `tconv bench` and tconv_bench dlopen the module (bench/peer_loader.cc).
// This header depends on nothing of tconv, so the module links only the
// peers' libraries. Module and harness are built together by one CMake
// project with one compiler, so C++ types cross the boundary; the version
// number guards against a stale module left in a build folder.
#ifndef TCONV_BENCH_PEER_API_H_
#define TCONV_BENCH_PEER_API_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tconv {
namespace bench {

// One prepared computation timed by the harness: Run() only, in a loop.
class Runner {
 public:
  virtual ~Runner() = default;
  virtual void Run() = 0;
  // What actually ran, e.g. "phase f32_phase_pixels_8x3__avx512" or
  // oneDNN's impl_info_str().
  virtual std::string Impl() const = 0;
  // The output of the last Run() in NCHW (torch) order, for the harness's
  // check that a peer computes the same tensor as tconv; false when the
  // runner cannot give it.
  virtual bool ReadOutputNchw(float* y) { return false; }
};

// A transposed convolution in torch/ONNX terms (ConvTranspose), with the
// tensors: x is NCHW (N, Cin, *in), w is torch's (Cin, Cout/g, *k), b (Cout).
// Spatial arrays hold ndim entries; out[] is tconv's output shape.
struct PeerProblem {
  int ndim = 2;
  int64_t n = 1, cin = 1, cout = 1, groups = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1},
          dilation[3] = {1, 1, 1}, pad_begin[3] = {0, 0, 0}, pad_end[3] = {0, 0, 0},
          output_padding[3] = {0, 0, 0};
  const float* x = nullptr;
  const float* w = nullptr;
  const float* b = nullptr;
};

constexpr int kPeerApiVersion = 1;

struct PeerApi {
  int version;
  // The configurations the module offers, e.g. "onednn:blocked+bias".
  std::vector<std::string> (*variants)();
  // A prepared runner at `threads`, or nullptr and *why (the peer is absent,
  // rejects the layer or cannot do this configuration).
  Runner* (*make)(const PeerProblem& p, const std::string& variant, int threads, std::string* why);
  // One line naming the peers and their versions.
  std::string (*describe)();
};

}  // namespace bench
}  // namespace tconv

// The module's one exported symbol.
extern "C" const tconv::bench::PeerApi* tconv_bench_peers();

#endif  // TCONV_BENCH_PEER_API_H_
