// CPU dispatch: which SIMD level tconv's Highway kernels run at.
//
// Detection happens once per process (hwy::SupportedTargets checks CPUID and
// the OS-enabled state in XCR0). The environment variable TCONV_ISA caps it:
//   TCONV_ISA=scalar  -> Highway's portable EMU128 code only
//   TCONV_ISA=avx2    -> at most HWY_AVX2 (AVX3 disabled)
//   TCONV_ISA=avx512  -> at most HWY_AVX3 (the default on Zen 4 with Debian's
//                        Highway 1.0.3, which has no AVX3_ZEN4 target)
// implemented with hwy::DisableTargets, so every HWY_DYNAMIC_DISPATCH in
// src/kernels/hwy/ follows the cap. TCONV_VERBOSE=dispatch (or a comma list
// containing it) prints each dispatch decision to stderr, one line each:
//   tconv: dispatch: isa avx512 (cpu supports avx512, cap none)
//   tconv: dispatch: phase_fast: declined: dilation 2 > 1
#ifndef TCONV_SRC_DISPATCH_CPU_H_
#define TCONV_SRC_DISPATCH_CPU_H_

#include <string>

namespace tconv {
namespace dispatch {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// "scalar", "avx2", "avx512".
const char* IsaName(Isa isa);
// Parses TCONV_ISA values (case-insensitive); false when unknown.
bool ParseIsa(const std::string& text, Isa* isa);

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
// Tests: cap the ISA at `cap` (or lift the cap with kAvx512) for the rest of
// the process, overriding TCONV_ISA. Not thread-safe with running kernels.
void SetIsaCap(Isa cap);

// True when TCONV_VERBOSE contains "dispatch".
bool VerboseDispatch();
// printf-style; prints "tconv: dispatch: <msg>\n" to stderr when verbose.
void LogDispatch(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace dispatch
}  // namespace tconv

#endif  // TCONV_SRC_DISPATCH_CPU_H_
