// The library's parallel regions (src/base/parallel.h): every index once,
// libgomp's static split, a member on the same thread run after run,
// barriers, nesting, concurrent callers, idle workers that sleep, and a
// forked child.
#include "src/base/parallel.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "tests/support/thread_ticks.h"

namespace tconv {
namespace {

// counts[i] = how many times index i ran.
std::vector<int> RunStatic(int threads, int64_t n) {
  std::vector<std::atomic<int>> counts(static_cast<size_t>(n));
  ParallelFor(threads, n, [&](int64_t i) { counts[static_cast<size_t>(i)].fetch_add(1); });
  return std::vector<int>(counts.begin(), counts.end());
}

TEST(Parallel, EveryIndexRunsOnceStaticAndDynamic) {
  for (int threads : {1, 2, 3, 5}) {
    for (int64_t n : {0, 1, 2, 7, 100, 1001}) {
      for (int c : RunStatic(threads, n)) ASSERT_EQ(c, 1) << threads << " threads, n " << n;
      for (int64_t chunk : {1, 3, 64}) {
        std::vector<std::atomic<int>> counts(static_cast<size_t>(n));
        ParallelForDynamic(threads, n, chunk, [&](int64_t i) { counts[static_cast<size_t>(i)].fetch_add(1); });
        for (auto& c : counts) ASSERT_EQ(c.load(), 1) << threads << " threads, n " << n << ", chunk " << chunk;
      }
    }
  }
}

TEST(Parallel, StaticSharesAreLibgompsAndStayOnTheirThread) {
  // 10 indices on 4 members: 3, 3, 2, 2 (the first n % T one more).
  std::vector<int> member(10, -1);
  std::vector<std::thread::id> first(4), second(4);
  for (auto* ids : {&first, &second}) {
    ParallelRegion(4, [&](const Team& team) {
      ASSERT_EQ(team.threads(), 4);
      (*ids)[static_cast<size_t>(team.thread())] = std::this_thread::get_id();
      team.ForStatic(10, [&](int64_t i) { member[static_cast<size_t>(i)] = team.thread(); });
    });
  }
  const std::vector<int> want = {0, 0, 0, 1, 1, 1, 2, 2, 3, 3};
  EXPECT_EQ(member, want);
  EXPECT_EQ(first, second);  // member t on the same thread both times
  EXPECT_EQ(first[0], std::this_thread::get_id());
  for (int t = 1; t < 4; ++t) EXPECT_NE(first[static_cast<size_t>(t)], first[0]);
}

TEST(Parallel, RegionsOfDifferentSizesShareOneCallersThreads) {
  // One pool per calling thread, as large as its largest region: member t
  // is the same thread in regions of 3, 2 and 3 members (a pool per size
  // once made 1 + 2 + ... workers and moved a Run's shares between them).
  std::thread caller([] {
    std::vector<std::thread::id> member1;
    for (int size : {3, 2, 3, 2}) {
      ParallelRegion(size, [&](const Team& team) {
        EXPECT_EQ(team.threads(), size);
        if (team.thread() == 1) member1.push_back(std::this_thread::get_id());
        team.Barrier();  // only this region's members count
      });
    }
    ASSERT_EQ(member1.size(), 4u);
    for (const auto& id : member1) EXPECT_EQ(id, member1[0]);
  });
  caller.join();
}

TEST(Parallel, BarrierSeparatesPhases) {
  constexpr int kThreads = 3, kRounds = 500;
  std::vector<int> slot(kThreads, 0);
  std::atomic<int> wrong{0};
  ParallelRegion(kThreads, [&](const Team& team) {
    for (int r = 1; r <= kRounds; ++r) {
      slot[static_cast<size_t>(team.thread())] = r;
      team.Barrier();
      for (int v : slot) wrong.fetch_add(v != r ? 1 : 0);
      team.Barrier();
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Parallel, DynamicLoopsInOneRegionUseTheirOwnCounters) {
  std::atomic<int64_t> next_a{0}, next_b{0};
  std::vector<std::atomic<int>> a(50), b(70);
  ParallelRegion(2, [&](const Team& team) {
    team.ForDynamic(next_a, 50, 4, [&](int64_t i) { a[static_cast<size_t>(i)].fetch_add(1); });
    team.ForDynamic(next_b, 70, 1, [&](int64_t i) { b[static_cast<size_t>(i)].fetch_add(1); });
  });
  for (auto& c : a) EXPECT_EQ(c.load(), 1);
  for (auto& c : b) EXPECT_EQ(c.load(), 1);
}

TEST(Parallel, ARegionInsideARegionRunsOnOneThread) {
  std::atomic<int> inner_threads{0}, inner_runs{0};
  ParallelRegion(2, [&](const Team&) {
    ParallelRegion(2, [&](const Team& inner) {
      inner_threads.fetch_add(inner.threads());
      inner_runs.fetch_add(1);
    });
  });
  EXPECT_EQ(inner_runs.load(), 2);     // once per outer member
  EXPECT_EQ(inner_threads.load(), 2);  // each with a team of one
}

TEST(Parallel, ConcurrentCallersEachGetTheirOwnTeam) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int r = 0; r < 200; ++r) {
        for (int v : RunStatic(2, 37)) wrong.fetch_add(v != 1 ? 1 : 0);
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// CPU ticks of the pool's workers ("tconv-pool") and how many there are;
// -1 ticks without /proc.
long PoolTicks(int* workers) {
  const std::map<int, long> ticks = testing::ThreadTicks("tconv-pool");
  *workers = static_cast<int>(ticks.size());
  if (ticks.empty()) return testing::ThreadTicks().empty() ? -1 : 0;
  long sum = 0;
  for (const auto& [tid, t] : ticks) sum += t;
  return sum;
}

TEST(Parallel, IdleWorkersSleep) {
  // After a region the workers spin about 0.1 ms, then sleep: over a 300 ms
  // pause they use (almost) no CPU. (pthreadpool's workers spin 11-15 ms
  // after each call, libgomp's about 4 ms unless passive; OpenBLAS's own
  // thread, which spins for a while after the process starts, is not
  // counted.)
  RunStatic(3, 100);
  int workers = 0;
  const long t0 = PoolTicks(&workers);
  if (t0 < 0) GTEST_SKIP() << "no /proc/self/task";
  EXPECT_GE(workers, 2);  // this thread's pool of 3 (and any others)
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long used = PoolTicks(&workers) - t0;
  EXPECT_LE(used, std::max<long>(1, ::sysconf(_SC_CLK_TCK) / 50)) << "ticks over 300 ms";
  // And they wake for the next region.
  for (int c : RunStatic(3, 100)) EXPECT_EQ(c, 1);
}

TEST(Parallel, AForkedChildStartsItsOwnThreads) {
  RunStatic(2, 10);  // the parent's pool exists
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    bool ok = true;
    for (int c : RunStatic(2, 10)) ok = ok && c == 1;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  for (int c : RunStatic(2, 10)) EXPECT_EQ(c, 1);  // the parent's still works
}

}  // namespace
}  // namespace tconv
