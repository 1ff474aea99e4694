// The library's parallel loops: fork-join regions on a team of threads
// that spin briefly before they sleep (src/base/parallel.cc), in place of
// OpenMP's.
//
// Why not libgomp: under OMP_WAIT_POLICY=passive (the setting of the
// bench, the sanitizer runs and training beside torch, where spinning
// threads took the other threads' cores) every region's entry and every
// barrier where one thread waited woke a sleeping thread: 45-70 us on an
// Intel Xeon KVM guest, 10-14 us on the Zen 5 host, against a 0.035 ms
// layer (fcn16_up2, which then ran 3x slower at 2 threads than at 1).
// Why not pthreadpool (Debian's, XNNPACK's pool): its idle workers spin
// for 11-15 ms after every call (measured: CPU time after one empty
// call), a core taken from torch's threads after each layer, and it offers
// no barrier. This pool spins kSpinMicros (a few wake-ups' worth) and then
// sleeps on a condition variable. Numbers: bench/RESULTS.md, "A thread
// pool that spins briefly".
//
// Semantics as the OpenMP code had them: ParallelRegion runs body(team) on
// `threads` threads at once, member t always on the same thread of the
// calling thread's pool (so a static share finds its lines in that
// thread's caches run after run); Team::ForStatic is schedule(static)
// (libgomp's split) and ForDynamic schedule(dynamic, chunk), each ending
// in a barrier. A region inside a region runs on one thread (only tconv's
// own regions are known: a plan with threads > 1 run inside each thread of
// a user's OpenMP region starts a pool per thread). Each calling thread
// has its own pool (concurrent Runs do not queue on one), as large as its
// largest region, created on first use; a forked child starts a new one.
// A body that throws terminates, as in an OpenMP region.
//
// Bottom layer: includes nothing of tconv; every layer may use it.
#ifndef TCONV_SRC_BASE_PARALLEL_H_
#define TCONV_SRC_BASE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <type_traits>

namespace tconv {

class Team;

namespace parallel_internal {
// The shared state of one region's barrier (sense-reversing).
struct Barrier {
  std::atomic<int> waiting{0};
  std::atomic<uint32_t> phase{0};
};
using RegionFn = void (*)(void* body, const Team& team);
// Runs fn(body, team) for members 0..threads-1 (member 0 on the caller).
void RunRegion(int threads, RegionFn fn, void* body);
// True on a thread that is running a region's member.
bool InRegion();
void WaitBarrier(Barrier* b, int threads);
}  // namespace parallel_internal

// One member of a parallel region.
class Team {
 public:
  Team() = default;
  Team(int thread, int threads, parallel_internal::Barrier* barrier)
      : thread_(thread), threads_(threads), barrier_(barrier) {}
  int thread() const { return thread_; }
  int threads() const { return threads_; }

  // Every member waits until all have arrived.
  void Barrier() const {
    if (threads_ > 1) parallel_internal::WaitBarrier(barrier_, threads_);
  }
  // This member's share [*begin, *end) of [0, n) in libgomp's
  // schedule(static) split: the first n % T members one more.
  void StaticShare(int64_t n, int64_t* begin, int64_t* end) const {
    const int64_t q = n / threads_, r = n % threads_;
    *begin = thread_ * q + std::min<int64_t>(thread_, r);
    *end = *begin + q + (thread_ < r ? 1 : 0);
  }
  // fn(i) for this member's static share, then (unless nowait) a barrier.
  template <class F>
  void ForStatic(int64_t n, F&& fn, bool nowait = false) const {
    int64_t b = 0, e = 0;
    StaticShare(n, &b, &e);
    for (int64_t i = b; i < e; ++i) fn(i);
    if (!nowait) Barrier();
  }
  // fn(i) for chunks of `chunk` indices claimed from `next` (one counter
  // per loop, zero before the region) by whichever member is free, then
  // (unless nowait) a barrier.
  template <class F>
  void ForDynamic(std::atomic<int64_t>& next, int64_t n, int64_t chunk, F&& fn, bool nowait = false) const {
    chunk = std::max<int64_t>(chunk, 1);
    for (;;) {
      const int64_t b = next.fetch_add(chunk, std::memory_order_relaxed);
      if (b >= n) break;
      const int64_t e = std::min(n, b + chunk);
      for (int64_t i = b; i < e; ++i) fn(i);
    }
    if (!nowait) Barrier();
  }

 private:
  int thread_ = 0;
  int threads_ = 1;
  parallel_internal::Barrier* barrier_ = nullptr;
};

// body(team) on `threads` threads at once (inline on one thread where
// threads <= 1 or inside another region).
template <class F>
void ParallelRegion(int threads, F&& body) {
  using Body = std::remove_reference_t<F>;
  if (threads <= 1 || parallel_internal::InRegion()) {
    const Team solo;
    body(solo);
    return;
  }
  parallel_internal::RunRegion(
      threads, [](void* b, const Team& team) noexcept { (*static_cast<Body*>(b))(team); },
      const_cast<void*>(static_cast<const void*>(&body)));
}

// fn(i) for i in [0, n), static shares on up to `threads` threads.
template <class F>
void ParallelFor(int threads, int64_t n, F&& fn) {
  const int t = static_cast<int>(std::min<int64_t>(threads, std::max<int64_t>(n, 1)));
  ParallelRegion(t, [&](const Team& team) { team.ForStatic(n, fn, /*nowait=*/true); });
}

// fn(i) for i in [0, n), chunks of `chunk` claimed dynamically.
template <class F>
void ParallelForDynamic(int threads, int64_t n, int64_t chunk, F&& fn) {
  const int t = static_cast<int>(std::min<int64_t>(threads, std::max<int64_t>(n, 1)));
  std::atomic<int64_t> next{0};
  ParallelRegion(t, [&](const Team& team) { team.ForDynamic(next, n, chunk, fn, /*nowait=*/true); });
}

}  // namespace tconv

#endif  // TCONV_SRC_BASE_PARALLEL_H_
