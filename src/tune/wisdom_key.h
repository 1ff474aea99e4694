// Internal: the key a plan's wisdom entry is stored under (include/tconv/wisdom.h)
// and its strict parser.
#ifndef TCONV_SRC_TUNE_WISDOM_KEY_H_
#define TCONV_SRC_TUNE_WISDOM_KEY_H_

#include <string>

#include "tconv/desc.h"
#include "tconv/layout.h"
#include "tconv/status.h"

namespace tconv {

// "f32 isa=avx512 threads=2 layout=nchw n=8 cin=512 cout=256 groups=1 in=4x4
// kernel=4x4 stride=2x2 dilation=1x1 pads=1x1/1x1 output_padding=0x0" (one
// line): everything that changes which algorithm is fastest.
std::string WisdomKey(const ConvDesc& d, int threads, Layout layout, const std::string& isa);

// Checks that `key` is a key WisdomKey writes, field by field (a valid
// transposed-convolution geometry, threads >= 1, a known layout and dtype);
// the message says which field is wrong.
Status CheckWisdomKey(const std::string& key);

}  // namespace tconv

#endif  // TCONV_SRC_TUNE_WISDOM_KEY_H_
