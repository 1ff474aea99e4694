// tconv_core_pingpong: how far apart the two CPUs a 2-thread run uses are.
//
// Two threads, pinned to CPUs a and b (default 0 and 1), hand one cache line
// back and forth; the mean round trip tells where the host placed them. On
// this project's shared 2-vCPU machine it is either ~55 ns (one L3) or ~330
// ns (different CCDs), and 2-thread results differ between the two
// placements (bench/RESULTS.md): run it before and after a 2-thread A/B.
//
//   build-perf2/bench/tconv_core_pingpong [a b]
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

bool Pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

alignas(64) std::atomic<int> g_turn{0};

}  // namespace

int main(int argc, char** argv) {
  const int a = argc > 2 ? std::atoi(argv[1]) : 0, b = argc > 2 ? std::atoi(argv[2]) : 1;
  constexpr int kRounds = 200000;
  bool pinned_b = false;
  std::thread other([&] {
    pinned_b = Pin(b);
    for (int i = 0; i < kRounds; ++i) {
      while (g_turn.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      g_turn.store(2 * i + 2, std::memory_order_release);
    }
  });
  const bool pinned_a = Pin(a);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) {
    g_turn.store(2 * i + 1, std::memory_order_release);
    while (g_turn.load(std::memory_order_acquire) != 2 * i + 2) {
    }
  }
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / kRounds;
  other.join();
  if (!pinned_a || !pinned_b) {
    std::fprintf(stderr, "tconv_core_pingpong: cannot pin to CPUs %d and %d\n", a, b);
    return 2;
  }
  std::printf("cpu%d <-> cpu%d: round trip %.0f ns\n", a, b, ns);
  return 0;
}
