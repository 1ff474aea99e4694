// Convolution forward and its two gradients (the operators transposed
// convolution is built from, and what training needs).
//
// Layouts: x (N, Cin, *in), w (Cout, Cin/groups, *k), y (N, Cout, *out), as
// torch.nn.Conv{1,2,3}d; sizes from ConvOutputShape(desc). A bias or bias
// gradient view with data == nullptr means "none".
//
// ConvOptions::algo: "gemm" (im2col + CBLAS GEMM; GEMM + col2im for
// backward-data; the GEMM form of backward-weight) or "ref" (the oracle);
// "auto" = gemm.
#ifndef TCONV_CONV_H_
#define TCONV_CONV_H_

#include <cstdint>
#include <string>

#include "tconv/desc.h"
#include "tconv/status.h"
#include "tconv/tensor.h"

namespace tconv {

struct ConvOptions {
  std::string algo = "auto";
  int threads = 1;  // 1 .. MaxThreads() (tconv/limits.h)
  // Bytes the GEMM forms may allocate for their column buffers; 0: the
  // machine's physical memory. Beyond it: kOutOfMemory, nothing allocated.
  int64_t max_memory_bytes = 0;
};

Status Conv(const ConvDesc& desc, ConstTensorView x, ConstTensorView w, ConstTensorView bias, TensorView y,
            const ConvOptions& options = ConvOptions());
Status ConvBackwardData(const ConvDesc& desc, ConstTensorView dy, ConstTensorView w, TensorView dx,
                        const ConvOptions& options = ConvOptions());
Status ConvBackwardWeight(const ConvDesc& desc, ConstTensorView x, ConstTensorView dy, TensorView dw, TensorView db,
                          const ConvOptions& options = ConvOptions());

}  // namespace tconv

#endif  // TCONV_CONV_H_
