// TCONV_DCHECK(cond): an internal invariant, such as a kernel's written
// contract or a planner's postcondition. Checked in debug and sanitizer
// builds (TCONV_ENABLE_DCHECK, which CMake defines for CMAKE_BUILD_TYPE=Debug
// and for TCONV_ASAN=ON); in other builds the condition is compiled but never
// evaluated, so a check costs nothing where speed is measured.
//
// Never for user input: bad input gets a Status with a message (STYLE.md,
// "Errors"). A failed check prints the file, the line and the condition and
// aborts, like ruy's RUY_DCHECK.
//
// This header is the bottom layer: it includes nothing of tconv, so every
// layer (kernels included) may use it.
#ifndef TCONV_SRC_BASE_CHECK_H_
#define TCONV_SRC_BASE_CHECK_H_

#include <cstdio>
#include <cstdlib>

namespace tconv {
namespace base {

[[noreturn]] inline void DcheckFailed(const char* file, int line, const char* cond) {
  std::fprintf(stderr, "%s:%d: TCONV_DCHECK failed: %s\n", file, line, cond);
  std::abort();
}

}  // namespace base
}  // namespace tconv

#if defined(TCONV_ENABLE_DCHECK)
#define TCONV_DCHECK_IS_ON 1
#define TCONV_DCHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::tconv::base::DcheckFailed(__FILE__, __LINE__, #cond))
#else
#define TCONV_DCHECK_IS_ON 0
// `false && (cond)` keeps cond compiled (its names stay used and checked)
// without evaluating it.
#define TCONV_DCHECK(cond) static_cast<void>(false && (cond))
#endif

#endif  // TCONV_SRC_BASE_CHECK_H_
