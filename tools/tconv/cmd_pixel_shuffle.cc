// `tconv pixel-shuffle` / `tconv pixel-unshuffle`: depth-to-space and back
// (torch.nn.PixelShuffle / PixelUnshuffle, 1-3 spatial axes), the last step
// of a sub-pixel convolution.
//
//   tconv pixel-shuffle   --input X.npy --output Y.npy --factor R
//   tconv pixel-unshuffle --input X.npy --output Y.npy --factor R
#include <memory>
#include <string>

#include "tconv/pixel_shuffle.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

namespace tconv {
namespace cli {
namespace {

struct ShuffleArgs {
  std::string input, output;
  int64_t factor = 0;
};

int RunShuffle(const ShuffleArgs& a, bool inverse) {
  Status st;
  Tensor x;
  if (!(st = LoadTensor("--input", a.input, &x)).ok()) return Fail(st);
  Shape s;
  st = inverse ? PixelUnshuffleShape(x.shape, a.factor, &s) : PixelShuffleShape(x.shape, a.factor, &s);
  if (!st.ok()) return Fail(st);
  Tensor y(s);
  st = inverse ? PixelUnshuffle(a.factor, x.cview(), y.view()) : PixelShuffle(a.factor, x.cview(), y.view());
  if (!st.ok()) return Fail(st);
  if (!(st = WriteOutput("--output", a.output, y)).ok()) return Fail(st);
  return 0;
}

Runner Setup(CLI::App* sub, bool inverse) {
  auto a = std::make_shared<ShuffleArgs>();
  AddPathOption(sub, "--input", &a->input,
                inverse ? "input X.npy, shape (N, C, *spatial), spatial dims multiples of R"
                        : "input X.npy, shape (N, C*R^D, *spatial)",
                true);
  AddPathOption(sub, "--output", &a->output, "output Y.npy (written atomically)", true);
  sub->add_option("--factor", a->factor, "upscale factor R >= 1")->required();
  return [a, inverse] { return RunShuffle(*a, inverse); };
}

Runner SetupShuffle(CLI::App* sub) { return Setup(sub, false); }
Runner SetupUnshuffle(CLI::App* sub) { return Setup(sub, true); }

}  // namespace

TCONV_REGISTER_COMMAND(pixel_shuffle, "pixel-shuffle", "depth-to-space (N, C*R^D, *s) -> (N, C, *s*R)",
                       SetupShuffle);
TCONV_REGISTER_COMMAND(pixel_unshuffle, "pixel-unshuffle", "space-to-depth (N, C, *s*R) -> (N, C*R^D, *s)",
                       SetupUnshuffle);

}  // namespace cli
}  // namespace tconv
