// CPU dispatch, the portable half of the ISA layer: which instruction set
// tconv's kernels run at, on any architecture Highway supports.
//
// An Isa is one Highway target (HWY_AVX3, HWY_NEON, ...): the kernels in
// src/kernels/hwy/ are compiled once per target by foreach_target, and this
// file chooses among them. Detection happens once per process
// (hwy::SupportedTargets checks CPUID and the OS-enabled state in XCR0 on
// x86, the auxiliary vector on Arm). The environment variable TCONV_ISA caps
// it at one of this build's ISAs (CompiledIsas; names case-insensitive):
//   x86:   scalar (Highway's HWY_SCALAR: GCC 12 builds no EMU128), ssse3,
//          sse4, avx2, avx512 (HWY_AVX3, also "avx3": Zen 4 and 5 run it with
//          Debian's Highway 1.0.3, which has no AVX3_ZEN4 target)
//   arm64: neon
// implemented with hwy::DisableTargets, so every kernel table follows the
// cap. TCONV_VERBOSE=dispatch (or a comma list containing it) prints each
// dispatch decision to stderr, one line each:
//   tconv: dispatch: isa avx512 (cpu supports avx512, cap none)
//   tconv: dispatch: phase_fast: declined: stride 65 > 64
// The per-target half of the ISA layer (register budgets, the raw x86
// instructions behind portable names) is src/kernels/hwy/isa-inl.h.
#ifndef TCONV_SRC_DISPATCH_CPU_H_
#define TCONV_SRC_DISPATCH_CPU_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tconv {
namespace dispatch {

// One instruction set: a single Highway target bit. Lower bits are more
// capable targets of the same architecture.
struct Isa {
  int64_t target = 0;
  bool operator==(const Isa& o) const { return target == o.target; }
  bool operator!=(const Isa& o) const { return target != o.target; }
};

// "scalar", "ssse3", "sse4", "avx2", "avx512", "avx512_dl", "neon", "sve",
// "sve2", "sve_256", "sve2_128"; "?" for anything else.
const char* IsaName(Isa isa);
// Parses a TCONV_ISA value (case-insensitive; aliases avx3 and emu128).
// False for a name that is not one of CompiledIsas().
bool ParseIsa(const std::string& text, Isa* isa);

// Every ISA this build has kernels for, most capable first, the baseline
// last.
std::vector<Isa> CompiledIsas();
// Those of CompiledIsas() the CPU and OS support, most capable first.
std::vector<Isa> AvailableIsas();
// Best ISA the CPU and OS support (ignores the cap). Detected once.
Isa DetectedIsa();
// The ISA kernels dispatch to now: min(detected, cap). Calls InitDispatch.
Isa ActiveIsa();
const char* ActiveIsaName();

// Applies TCONV_ISA once (idempotent, thread-safe). Every entry point that
// dispatches calls it; an unknown TCONV_ISA value is reported once on stderr
// and ignored.
void InitDispatch();

// Note: do not call hwy::SupportedTargets() after InitDispatch; in Highway
// 1.0.3 it resets HWY_DYNAMIC_DISPATCH's chosen target and so drops the cap.
//
// Tests: cap the ISA at `cap` (lift it with DetectedIsa()) for the rest of
// the process, overriding TCONV_ISA. Not thread-safe with running kernels.
// A plan keeps the kernels it was created with.
void SetIsaCap(Isa cap);

// True when the CPU has AMX-BF16 (cpuid leaf 7: Intel's server cores from
// Sapphire Rapids on). There vdpbf16ps does what two 512-bit FMAs do (32
// products a cycle) and the widened f32 route beats the bf16 dot kernels
// (src/algo/phase_bf16_widened.cc, Bf16DotPays). Not an ISA: the cap does
// not change it. False on other architectures.
bool CpuHasAmxBf16();
// True when the CPU has AMX-INT8 (cpuid leaf 7), as CpuHasAmxBf16.
bool CpuHasAmxInt8();

// True when TCONV_VERBOSE contains "dispatch".
bool VerboseDispatch();
// printf-style; prints "tconv: dispatch: <msg>\n" to stderr when verbose.
void LogDispatch(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace dispatch
}  // namespace tconv

#endif  // TCONV_SRC_DISPATCH_CPU_H_
