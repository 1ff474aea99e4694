// CPU detection and the TCONV_ISA cap (see cpu.h). Highway does the CPUID +
// XCR0 work; this file maps its targets to tconv's three ISA names and turns
// the cap into hwy::DisableTargets masks.
#include "src/dispatch/cpu.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "hwy/targets.h"
#include "src/ascii_lower.h"

namespace tconv {
namespace dispatch {
namespace {

// Targets above each cap. EMU128/SCALAR (the baseline) can never be disabled.
constexpr int64_t kAboveAvx512 = 0;
constexpr int64_t kAboveAvx2 = HWY_AVX3 | HWY_AVX3_DL;
constexpr int64_t kAboveScalar = HWY_SSSE3 | HWY_SSE4 | HWY_AVX2 | HWY_AVX3 | HWY_AVX3_DL;

int64_t AboveMask(Isa cap) {
  switch (cap) {
    case Isa::kScalar:
      return kAboveScalar;
    case Isa::kAvx2:
      return kAboveAvx2;
    case Isa::kAvx512:
      return kAboveAvx512;
  }
  return 0;
}

Isa FromTargets(int64_t targets) {
  if (targets & (HWY_AVX3 | HWY_AVX3_DL)) return Isa::kAvx512;
  if (targets & HWY_AVX2) return Isa::kAvx2;
  return Isa::kScalar;
}

struct State {
  std::once_flag once;
  Isa detected = Isa::kScalar;
  Isa cap = Isa::kAvx512;
  Isa active = Isa::kScalar;
  bool verbose = false;
};

State& GetState() {
  static State s;
  return s;
}

void Apply(Isa cap) {
  // DisableTargets replaces the previous mask, so lifting a cap works too.
  hwy::DisableTargets(AboveMask(cap));
  // In Highway 1.0.3, SupportedTargets() itself resets the chosen target of
  // HWY_DYNAMIC_DISPATCH to every detected target (it expects its caller to
  // Update again), so update with the capped set right after, and never call
  // SupportedTargets() elsewhere: ActiveIsa() reads the cached result.
  const int64_t targets = hwy::SupportedTargets();
  hwy::GetChosenTarget().Update(targets);
  GetState().cap = cap;
  GetState().active = FromTargets(targets);
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "?";
}

bool ParseIsa(const std::string& text, Isa* isa) {
  const std::string t = AsciiLower(text);
  if (t == "scalar") {
    *isa = Isa::kScalar;
  } else if (t == "avx2") {
    *isa = Isa::kAvx2;
  } else if (t == "avx512" || t == "avx3") {
    *isa = Isa::kAvx512;
  } else {
    return false;
  }
  return true;
}

void InitDispatch() {
  State& s = GetState();
  std::call_once(s.once, [&s] {
    const char* v = std::getenv("TCONV_VERBOSE");
    s.verbose = v && std::strstr(v, "dispatch") != nullptr;
    hwy::DisableTargets(0);
    s.detected = FromTargets(hwy::SupportedTargets());
    Isa cap = Isa::kAvx512;
    const char* env = std::getenv("TCONV_ISA");
    if (env && *env && !ParseIsa(env, &cap)) {
      std::fprintf(stderr, "tconv: warning: TCONV_ISA must be scalar, avx2 or avx512 (got '%s'); ignored\n", env);
      cap = Isa::kAvx512;
    }
    Apply(cap);
    LogDispatch("isa %s (cpu supports %s, cap %s)", IsaName(s.active),
                IsaName(s.detected), env && *env ? env : "none");
  });
}

Isa DetectedIsa() {
  InitDispatch();
  return GetState().detected;
}

Isa ActiveIsa() {
  InitDispatch();
  return GetState().active;
}

const char* ActiveIsaName() { return IsaName(ActiveIsa()); }

void SetIsaCap(Isa cap) {
  InitDispatch();
  Apply(cap);
  LogDispatch("isa cap set to %s: now %s", IsaName(cap), IsaName(GetState().active));
}

bool VerboseDispatch() {
  InitDispatch();
  return GetState().verbose;
}

void LogDispatch(const char* fmt, ...) {
  // Called from inside InitDispatch's once-block too, so read the flag
  // directly instead of through VerboseDispatch().
  if (!GetState().verbose) return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "tconv: dispatch: %s\n", buf);
}

}  // namespace dispatch
}  // namespace tconv
