// CPU detection and the TCONV_ISA cap (see cpu.h). Highway does the CPUID +
// XCR0 (or auxv) work; this file names its targets and turns the cap into
// hwy::DisableTargets masks.
#include "src/dispatch/cpu.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "hwy/targets.h"
#include "src/base/ascii_lower.h"

namespace tconv {
namespace dispatch {
namespace {

struct IsaNameEntry {
  int64_t target;
  const char* name;
};
// Every target Highway 1.0 may compile, with tconv's name for it.
constexpr IsaNameEntry kIsaNames[] = {
    {HWY_AVX3_DL, "avx512_dl"}, {HWY_AVX3, "avx512"},     {HWY_AVX2, "avx2"}, {HWY_SSE4, "sse4"},
    {HWY_SSSE3, "ssse3"},       {HWY_SVE2_128, "sve2_128"}, {HWY_SVE_256, "sve_256"}, {HWY_SVE2, "sve2"},
    {HWY_SVE, "sve"},           {HWY_NEON, "neon"},       {HWY_EMU128, "scalar"}, {HWY_SCALAR, "scalar"},
};

// The most capable target of a mask: the lowest set bit.
int64_t Best(int64_t targets) { return targets & -targets; }

struct State {
  std::once_flag once;
  int64_t supported = 0;  // compiled targets the CPU and OS support
  Isa detected;
  Isa active;
  bool verbose = false;
};

State& GetState() {
  static State s;
  return s;
}

void Apply(Isa cap) {
  // Every compiled target more capable than the cap: the lower bits.
  // DisableTargets replaces the previous mask, so lifting a cap works too;
  // the baseline can never be disabled.
  hwy::DisableTargets(cap.target - 1);
  // In Highway 1.0.3, SupportedTargets() itself resets the chosen target of
  // HWY_DYNAMIC_DISPATCH to every detected target (it expects its caller to
  // Update again), so update with the capped set right after, and never call
  // SupportedTargets() elsewhere: ActiveIsa() reads the cached result.
  const int64_t targets = hwy::SupportedTargets();
  hwy::GetChosenTarget().Update(targets);
  GetState().active = Isa{Best(targets & HWY_TARGETS)};
}

}  // namespace

const char* IsaName(Isa isa) {
  for (const IsaNameEntry& e : kIsaNames)
    if (e.target == isa.target) return e.name;
  return "?";
}

std::vector<Isa> CompiledIsas() {
  std::vector<Isa> v;
  for (int64_t t = HWY_TARGETS; t != 0; t &= t - 1) v.push_back(Isa{Best(t)});
  return v;
}

bool ParseIsa(const std::string& text, Isa* isa) {
  std::string t = AsciiLower(text);
  if (t == "avx3") t = "avx512";
  if (t == "emu128") t = "scalar";
  for (const Isa& c : CompiledIsas()) {
    if (t == IsaName(c)) {
      *isa = c;
      return true;
    }
  }
  return false;
}

void InitDispatch() {
  State& s = GetState();
  std::call_once(s.once, [&s] {
    const char* v = std::getenv("TCONV_VERBOSE");
    s.verbose = v && std::strstr(v, "dispatch") != nullptr;
    hwy::DisableTargets(0);
    s.supported = hwy::SupportedTargets() & HWY_TARGETS;
    s.detected = Isa{Best(s.supported)};
    Isa cap = s.detected;
    const char* env = std::getenv("TCONV_ISA");
    if (env && *env && !ParseIsa(env, &cap)) {
      std::string names;
      for (const Isa& c : CompiledIsas()) names += (names.empty() ? "" : ", ") + std::string(IsaName(c));
      std::fprintf(stderr, "tconv: warning: TCONV_ISA must be one of %s (got '%s'); ignored\n", names.c_str(), env);
      cap = s.detected;
    }
    Apply(cap);
    LogDispatch("isa %s (cpu supports %s, cap %s)", IsaName(s.active), IsaName(s.detected),
                env && *env ? env : "none");
  });
}

std::vector<Isa> AvailableIsas() {
  InitDispatch();
  std::vector<Isa> v;
  for (const Isa& c : CompiledIsas())
    if (GetState().supported & c.target) v.push_back(c);
  return v;
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

namespace {

// cpuid leaf 7's EDX (0 where there is none), read once: cpuid exits to the
// hypervisor in a VM, and every bf16 and int8 plan asks.
unsigned CpuidLeaf7Edx() {
  static const unsigned edx = [] {
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0, ebx = 0, ecx = 0, d = 0;
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &d) ? d : 0u;
#else
    return 0u;
#endif
  }();
  return edx;
}

}  // namespace

bool CpuHasAmxBf16() { return ((CpuidLeaf7Edx() >> 22) & 1u) != 0; }
bool CpuHasAmxInt8() { return ((CpuidLeaf7Edx() >> 25) & 1u) != 0; }

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
