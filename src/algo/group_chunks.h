// Grouped layers in chunks of groups that stay in a core's cache, for the
// routes that widen bf16 or int8 to f32 (phase_bf16_widened.cc,
// phase_int8_widened.cc). Whole, such a route writes its f32 y to memory
// and reads it back to round or requantize it (10 bytes moved per bf16
// output against the f32 plan's 4; dw_k4s2 in bf16 ran at 0.42x its f32
// speed). In chunks, each (image, chunk of groups) is a task on one thread
// that widens its x, runs an f32 plan prepared for the chunk (the same
// per-group problem, its own weights) and converts its y while both are in
// cache. Chunks depend on the geometry (and on the plan's thread count
// only where the layer has fewer chunks than threads); each chunk's f32 y
// is the whole f32 plan's bit for bit where the chunk plan runs the same
// kernel (tests/phase_bf16_chunks_test.cc), so neither changes the bits.
#ifndef TCONV_SRC_ALGO_GROUP_CHUNKS_H_
#define TCONV_SRC_ALGO_GROUP_CHUNKS_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/algo/algorithm.h"
#include "src/base/checked_int.h"
#include "src/base/parallel.h"
#include "src/geom3.h"

namespace tconv {

class GroupChunks {
 public:
  // Groups per chunk: the most, dividing the groups, whose f32 x and y fit
  // kChunkBytes and that leave a task (image, chunk) for each of `threads`
  // (else the fewest groups, the most tasks); 0 (do not chunk) where the
  // whole layer's x and y fit or where one group's do not.
  static constexpr int64_t kChunkBytes = int64_t{512} << 10;  // half of a core's L2 (1-2 MiB here)
  static int64_t GroupsPerChunk(const Geom3& g, int threads) {
    if (g.groups < 2) return 0;
    const int64_t per_group = SatMul(SatAdd(SatMul(g.cin_g, g.in_sp), SatMul(g.cout_g, g.out_sp)), 4);
    if (SatMul(per_group, g.groups) <= kChunkBytes || per_group > kChunkBytes) return 0;
    int64_t best = 1;
    for (int64_t gc = 1; gc < g.groups && gc * per_group <= kChunkBytes; ++gc)
      if (g.groups % gc == 0 && g.n * (g.groups / gc) >= threads) best = gc;
    return best;
  }

  // One f32 plan per chunk: prepare(chunk geometry, chunk j) for j < chunks;
  // cost_f32 counts a part whose ActualCost does not.
  template <class Prepare>
  static bool Make(const Geom3& g, int64_t gc, int threads, Prepare prepare, AlgoCost (*cost_f32)(const Geom3&),
                   GroupChunks* c) {
    c->g_ = g;
    c->gc_ = gc;
    Geom3 sub = g;
    sub.n = 1;
    sub.groups = gc;
    sub.cin = gc * g.cin_g;
    sub.cout = gc * g.cout_g;
    for (int64_t j = 0; j < g.groups / gc; ++j) {
      c->parts_.push_back(prepare(sub, j));
      if (!c->parts_.back()) return false;
    }
    c->slots_ = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, g.n * (g.groups / gc))));
    c->x_floats_ = gc * g.cin_g * g.in_sp;
    c->y_floats_ = gc * g.cout_g * g.out_sp;
    int64_t inner = 0;
    for (const auto& p : c->parts_) {  // (a part's cost is one image's)
      AlgoCost pc;
      if (!p->ActualCost(&pc)) pc = cost_f32(sub);
      inner = std::max(inner, pc.workspace_bytes);
      c->cost_.macs = SatAdd(c->cost_.macs, SatMul(pc.macs, g.n));
      c->cost_.packed_bytes = SatAdd(c->cost_.packed_bytes, pc.packed_bytes);
    }
    c->inner_ws_ = SatAlign64(inner);
    c->slot_bytes_ = SatAdd(SatAdd(XBytes(*c), YBytes(*c)), c->inner_ws_);
    c->cost_.workspace_bytes = SatMul(c->slot_bytes_, c->slots_);
    return true;
  }

  // The chunks' cost: every part's multiply-adds and packed weights, and
  // per thread [x chunk][y chunk][the parts' largest workspace].
  const AlgoCost& cost() const { return cost_; }
  const Geom3& geom() const { return g_; }  // the whole layer's
  int64_t groups_per_chunk() const { return gc_; }
  int64_t x_floats() const { return x_floats_; }
  int64_t y_floats() const { return y_floats_; }
  // Chunk j's first input and output channel.
  int64_t first_cin(int64_t j) const { return j * gc_ * g_.cin_g; }
  int64_t first_cout(int64_t j) const { return j * gc_ * g_.cout_g; }
  std::string Kernel(const std::string& route) const {
    return parts_.front()->Kernel() + " (" + route + ", " + std::to_string(gc_) + " groups at a time)";
  }

  // task(n, j, x, y, run) for every image n and chunk j, each on one
  // thread with that thread's x and y chunk buffers; run(x, y) runs chunk
  // j's f32 plan from x into y.
  template <class Task>
  void Run(void* ws, int threads, Task task) const {
    const int64_t chunks = static_cast<int64_t>(parts_.size()), tasks = g_.n * chunks;
    ParallelRegion(static_cast<int>(std::min<int64_t>({threads, slots_, tasks})), [&](const Team& team) {
      char* slot = static_cast<char*>(ws) + team.thread() * slot_bytes_;
      float* x = reinterpret_cast<float*>(slot);
      float* y = reinterpret_cast<float*>(slot + XBytes(*this));
      void* inner = inner_ws_ ? slot + XBytes(*this) + YBytes(*this) : nullptr;
      team.ForStatic(tasks, [&](int64_t t) {
        const int64_t n = t / chunks, j = t % chunks;
        const PreparedAlgo& part = *parts_[static_cast<size_t>(j)];
        task(n, j, x, y, [&](const float* xs, float* ys) { part.Run(ConstBuffer(xs), Buffer(ys), inner, 1); });
      }, /*nowait=*/true);
    });
  }

 private:
  static int64_t XBytes(const GroupChunks& c) { return SatAlign64(SatMul(c.x_floats_, 4)); }
  static int64_t YBytes(const GroupChunks& c) { return SatAlign64(SatMul(c.y_floats_, 4)); }

  Geom3 g_;
  int64_t gc_ = 0;
  std::vector<std::unique_ptr<PreparedAlgo>> parts_;  // chunk j: groups [j*gc, (j+1)*gc)
  int slots_ = 1;
  AlgoCost cost_;
  int64_t x_floats_ = 0, y_floats_ = 0, inner_ws_ = 0, slot_bytes_ = 0;
};

}  // namespace tconv

#endif  // TCONV_SRC_ALGO_GROUP_CHUNKS_H_
