// The thread pools behind ParallelRegion (src/base/parallel.h says why the
// library has its own).
#include "src/base/parallel.h"

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace tconv {
namespace parallel_internal {
namespace {

// How long an idle worker (or a member waiting at a barrier, or the caller
// waiting for the workers) spins before it sleeps (or yields): about two
// wake-ups of a sleeping thread on the slowest host measured (45-70 us,
// an Intel Xeon KVM guest), so a run that starts within it pays no wake-up
// and an idle pool wastes at most this much CPU per region.
constexpr int64_t kSpinMicros = 100;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Spins until done() or kSpinMicros have passed (the clock read every 64
// tries); returns done()'s last value.
template <class Pred>
bool Spin(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      CpuRelax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return done();
  }
}

// A member waiting for the others (a barrier, the caller's join): spins,
// then yields its core for up to kYieldMicros, then sleeps in 50 us steps,
// so a long imbalance does not hold a core.
constexpr int64_t kYieldMicros = 1000;

template <class Pred>
void SpinThenYield(Pred done) {
  if (Spin(done)) return;
  const auto yield_until = std::chrono::steady_clock::now() + std::chrono::microseconds(kYieldMicros);
  while (!done()) {
    if (std::chrono::steady_clock::now() < yield_until) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
}

thread_local int tls_region_depth = 0;

// threads - 1 workers; member 0 is the caller; a region of t <= threads
// members runs on workers 1 .. t-1, and the others only acknowledge it
// (every worker does before the caller returns, so the next region's
// fn_, body_ and members_ are written after every read of these). One
// region at a time (a pool belongs to one calling thread).
class Pool {
 public:
  explicit Pool(int threads) : threads_(threads) {
    workers_.reserve(static_cast<size_t>(threads - 1));
    try {
      for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { Work(t); });
    } catch (...) {
      Stop();
      throw;
    }
  }
  ~Pool() { Stop(); }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  int threads() const { return threads_; }

  void Run(RegionFn fn, void* body, int members) {
    fn_ = fn;
    body_ = body;
    members_ = members;
    pending_.store(threads_ - 1, std::memory_order_relaxed);
    // The new generation publishes fn_, body_ and members_; a worker that went to
    // sleep before it (sleepers_ counted first, both sequentially
    // consistent) is woken under the mutex, so no wake-up is lost.
    gen_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      { std::lock_guard<std::mutex> lock(mu_); }
      cv_.notify_all();
    }
    ++tls_region_depth;
    fn(body, Team(0, members, &barrier_));
    --tls_region_depth;
    SpinThenYield([&] { return pending_.load(std::memory_order_acquire) == 0; });
  }

 private:
  void Work(int t) {
    pthread_setname_np(pthread_self(), "tconv-pool");
    uint64_t seen = 0;
    for (;;) {
      if (!Spin([&] { return gen_.load(std::memory_order_acquire) != seen; })) {
        std::unique_lock<std::mutex> lock(mu_);
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        cv_.wait(lock, [&] { return gen_.load(std::memory_order_seq_cst) != seen; });
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
      }
      seen = gen_.load(std::memory_order_acquire);
      if (stop_.load(std::memory_order_acquire)) return;
      if (t < members_) {  // (else a smaller region)
        ++tls_region_depth;
        fn_(body_, Team(t, members_, &barrier_));
        --tls_region_depth;
      }
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_.store(true, std::memory_order_release);
      gen_.fetch_add(1, std::memory_order_seq_cst);
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }

  const int threads_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> gen_{0};  // regions started (and one more to stop)
  std::atomic<int> pending_{0};   // workers yet to finish (or skip) the current region
  std::atomic<int> sleepers_{0};  // workers waiting on cv_
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  RegionFn fn_ = nullptr;  // fn_, body_, members_: published by gen_
  void* body_ = nullptr;
  int members_ = 0;
  Barrier barrier_;
};

// Bumped in a forked child: the parent's workers do not exist there, so
// the child's pools are abandoned (not joined) and made anew.
std::atomic<uint64_t> fork_generation{0};

// The calling thread's pool: one, as large as the largest region it ran
// (a larger one replaces it), so a Run's regions of different sizes use
// the same threads, member t always worker t.
struct Pools {
  uint64_t generation = 0;
  std::unique_ptr<Pool> pool;
  ~Pools() {
    if (generation != fork_generation.load()) static_cast<void>(pool.release());
  }
};

Pool& PoolFor(int threads) {
  static const int registered = pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });
  static_cast<void>(registered);
  thread_local Pools pools;
  const uint64_t gen = fork_generation.load();
  if (pools.generation != gen) {
    static_cast<void>(pools.pool.release());
    pools.generation = gen;
  }
  if (!pools.pool || pools.pool->threads() < threads) {
    pools.pool.reset();
    pools.pool = std::make_unique<Pool>(threads);
  }
  return *pools.pool;
}

}  // namespace

bool InRegion() { return tls_region_depth > 0; }

void RunRegion(int threads, RegionFn fn, void* body) {
  Pool* pool = nullptr;
  try {
    pool = &PoolFor(threads);
  } catch (...) {
    // No threads to be had (std::system_error): one member does it all.
    ++tls_region_depth;
    fn(body, Team());
    --tls_region_depth;
    return;
  }
  pool->Run(fn, body, threads);
}

void WaitBarrier(Barrier* b, int threads) {
  const uint32_t phase = b->phase.load(std::memory_order_acquire);
  if (b->waiting.fetch_add(1, std::memory_order_acq_rel) == threads - 1) {
    b->waiting.store(0, std::memory_order_relaxed);
    b->phase.fetch_add(1, std::memory_order_release);
    return;
  }
  SpinThenYield([&] { return b->phase.load(std::memory_order_acquire) != phase; });
}

}  // namespace parallel_internal
}  // namespace tconv
