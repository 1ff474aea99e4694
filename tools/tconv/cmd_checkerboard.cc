// `tconv checkerboard --out DIR [--seed S] [--html]`: reproduces the
// article's checkerboard experiments (DESIGN.md point 6) and writes
// DIR/report.md with the pictures it references (docs/CHECKERBOARD.md
// explains them), and with --html also DIR/report.html, pictures inlined.
// The pictures are drawn by tools/figure (cairo): titled, with axes, colour
// bars and captions, compared maps on one colour scale, clipping stated.
//
//  1. All-ones input through one transposed convolution, k3 s2 vs k4 s2:
//     overlap-count maps (counted and run, checked equal) and scores.
//  2. Three stacked layers of each.
//  3. Bilinear upsample + 3x3 convolution (resize-convolution): flat inside.
//  4. A procedural test image (gradients, shapes, value noise) through
//     random-weight stacks: deconv k3s2 x3, deconv k4s2 x3, resize-conv x3,
//     sub-pixel convolution with ICNR x3.
//
// Every number in the report comes from the library (tconv/checkerboard.h,
// resample.h, pixel_shuffle.h, conv.h, plan.h); the run is deterministic
// (own splitmix64 generator, fixed seed).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "src/io/atomic_write.h"
#include "tconv/checkerboard.h"
#include "tconv/conv.h"
#include "tconv/image.h"
#include "tconv/pixel_shuffle.h"
#include "tconv/plan.h"
#include "tconv/resample.h"
#include "tools/figure/figure.h"
#include "tools/figure/html_report.h"
#include "tools/tconv/checkerboard_figures.h"
#include "tools/tconv/checkerboard_stacks.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

namespace tconv {
namespace cli {
namespace {

using checkerboard_stacks::CropImage;
using checkerboard_stacks::DeconvDesc;
using checkerboard_stacks::RandomWeight;
using checkerboard_stacks::Rng;
using checkerboard_stacks::RunDeconvStack;
using checkerboard_stacks::RunResizeConvStack;
using checkerboard_stacks::RunSubPixelStack;
using checkerboard_stacks::StackResult;
using checkerboard_stacks::TestImage;
using checkerboard_stacks::Window;

std::string Num(double v, int digits = 4) {
  if (std::isinf(v)) return "inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
  return buf;
}

std::string Join(const std::vector<double>& v) {
  std::string s;
  for (double x : v) s += (s.empty() ? "" : " ") + Num(x);
  return s;
}

struct Ctx {
  std::string dir;
  std::ostringstream md;
};

// Section 1-2 helper: one overlap map (2-D) with counting == running check;
// its table row goes to the report, its map to *maps (drawn by the caller).
Status OverlapSection(Ctx* c, const std::string& title, const std::string& file, const std::vector<DeconvLayer>& stack,
                      const Dims& in, std::vector<MapToDraw>* maps) {
  OverlapMap counted, ran;
  TCONV_RETURN_IF_ERROR(OverlapMapCount(stack, in, &counted));
  TCONV_RETURN_IF_ERROR(OverlapMapRun(stack, in, &ran));
  const bool agree = counted.count == ran.count;
  if (!agree) return Status::Invalid("internal: counted and run overlap maps differ for " + title);
  CheckerboardScore sc;
  TCONV_RETURN_IF_ERROR(ScoreStack(stack, &sc));
  double lo = 0, hi = 0;
  const bool has_interior = InteriorMinMax(counted, &lo, &hi);
  maps->push_back(MapToDraw{file, "Overlap count, " + title + ": 8x8 ones input, ones weights (score " +
                                      Num(sc.score) + ")",
                            counted.count, counted.size[0], counted.size[1]});
  c->md << "| " << title << " | " << counted.size[0] << "x" << counted.size[1] << " | "
        << (has_interior ? Num(lo) + " / " + Num(hi) : std::string("(none)")) << " | " << Num(sc.min) << " / "
        << Num(sc.max) << " | **" << Num(sc.score) << "** | " << Join(sc.pattern[0]) << " | " << (agree ? "yes" : "NO")
        << " | ![](" << file << ") |\n";
  return Status::Ok();
}

const char kOverlapHeader[] =
    "| stack | output | interior min / max | steady min / max | score | steady pattern (one axis) "
    "| counted == run | map |\n|---|---|---|---|---|---|---|---|\n";
const char kPaths[] = "input-tap paths per output";

// Section 1: one layer of k3 s2 and of k4 s2; section 2: three of each.
// Each section's two maps share one colour scale.
Status WriteDeconvOverlapSections(Ctx* c) {
  const DeconvLayer k3 = MakeDeconvLayer(2, 3, 2, 1, 1, 1);  // k3 s2 p1 a1: out = 2*in
  const DeconvLayer k4 = MakeDeconvLayer(2, 4, 2, 1, 1, 0);  // k4 s2 p1: out = 2*in
  c->md << "## 1. All-ones input and weights: how many input-tap pairs reach each output\n\n"
        << "One transposed convolution, input 8x8 of ones, weight 1 channel of ones, stride 2, pad 1 "
        << "(k3 also output_padding 1), so both give 16x16. *interior* = positions whose whole "
        << "dependency cone lies inside the input (the steady state of an infinite input); *steady "
        << "state* = the same computed analytically over one period; score = max/min of the steady "
        << "state (1 = even). The maps were counted per axis and also run through ConvTransposeRef; "
        << "the column says whether the two agree exactly. The two maps share one colour scale.\n\n"
        << kOverlapHeader;
  std::vector<MapToDraw> maps;
  TCONV_RETURN_IF_ERROR(OverlapSection(c, "deconv k3 s2", "overlap_k3s2.png", {k3}, Dims{8, 8, 1}, &maps));
  TCONV_RETURN_IF_ERROR(OverlapSection(c, "deconv k4 s2", "overlap_k4s2.png", {k4}, Dims{8, 8, 1}, &maps));
  TCONV_RETURN_IF_ERROR(WriteHeatmaps(c->dir, maps, kPaths, true));
  c->md << "\n## 2. Three stacked layers\n\n"
        << "Input 8x8 of ones through three layers (64x64 out). The uneven k3 pattern compounds: "
        << "its steady state takes the values 1..5 per axis, so the 2-D score is 25; k4 s2 stays "
        << "even (8 per axis, 64 everywhere inside). The two maps share one colour scale.\n\n"
        << kOverlapHeader;
  maps.clear();
  TCONV_RETURN_IF_ERROR(
      OverlapSection(c, "deconv k3 s2 x3", "overlap_k3s2_x3.png", {k3, k3, k3}, Dims{8, 8, 1}, &maps));
  TCONV_RETURN_IF_ERROR(
      OverlapSection(c, "deconv k4 s2 x3", "overlap_k4s2_x3.png", {k4, k4, k4}, Dims{8, 8, 1}, &maps));
  return WriteHeatmaps(c->dir, maps, kPaths, true);
}

// Section 3: resize-convolution, one layer and three (each on its own
// scale: 9 and 729 paths are not compared by colour).
Status WriteResizeConvSection(Ctx* c) {
  c->md << "\n## 3. The alternative: bilinear upsample x2 + 3x3 convolution\n\n"
        << "Ones input and ones 3x3 weights (pad 1), one layer and three. Every interior output "
        << "sees the same number of taps; only the zero padding of the convolution darkens the "
        << "border (4 at corners, 6 on edges, 9 inside: the article's example (d)). Each map has its "
        << "own colour scale.\n\n"
        << "| stack | output | interior min / max | score (interior max/min) | map |\n|---|---|---|---|---|\n";
  ResizeConvLayer rc;  // bilinear x2, k3 pad 1
  for (int layers : {1, 3}) {
    std::vector<ResizeConvLayer> st(static_cast<size_t>(layers), rc);
    OverlapMap m;
    TCONV_RETURN_IF_ERROR(ResizeConvOverlapMap(2, st, Dims{8, 8, 1}, &m));
    double lo = 0, hi = 0;
    if (!InteriorMinMax(m, &lo, &hi)) return Status::Invalid("internal: resize-conv map has no interior");
    const std::string file = layers == 1 ? "overlap_resize_conv.png" : "overlap_resize_conv_x3.png";
    const std::string label = std::string("bilinear x2 + conv3x3") + (layers == 3 ? " x3" : "");
    TCONV_RETURN_IF_ERROR(WriteHeatmaps(
        c->dir, {MapToDraw{file, "Overlap count, " + label + ": 8x8 ones input", m.count, m.size[0], m.size[1]}},
        kPaths, false));
    c->md << "| " << label << " | " << m.size[0] << "x" << m.size[1] << " | " << Num(lo) << " / " << Num(hi)
          << " | **" << Num(hi / lo) << "** | ![](" << file << ") |\n";
  }
  return Status::Ok();
}

// Section 4's computation: the picture and a constant input through each
// stack, with the first layer's phase-sum spread and the constant response.
Status RunStacks(const Tensor& img, const Tensor& konst, Rng* rng, std::vector<StackResult>* results) {
  const int64_t C = img.shape[1];
  const int64_t n = img.shape[2];
  {  // deconv k3 s2 x3 and k4 s2 x3
    for (int k : {3, 4}) {
      std::vector<ConvDesc> descs;
      std::vector<Tensor> ws;
      int64_t len = n;
      for (int l = 0; l < 3; ++l) {
        ConvDesc d = DeconvDesc(C, len, k, 2, 1, k == 3 ? 1 : 0);
        descs.push_back(d);
        ws.push_back(RandomWeight(C, k, 4.0, rng));
        len = ConvTransposeOutputLength(d, 0);
      }
      StackResult r;
      r.name = k == 3 ? "deconv_k3s2_x3" : "deconv_k4s2_x3";
      r.label = k == 3 ? "deconv k3 s2 x3" : "deconv k4 s2 x3";
      TCONV_RETURN_IF_ERROR(RunDeconvStack(descs, ws, img, &r.image_out));
      TCONV_RETURN_IF_ERROR(RunDeconvStack(descs, ws, konst, &r.const_out));
      PhaseSums ps;
      TCONV_RETURN_IF_ERROR(PhaseKernelSums(descs[0], ws[0].cview(), &ps));
      r.phase_sum_spread = ps.max_spread;
      std::vector<double> spread;
      int64_t n_in = 0;
      TCONV_RETURN_IF_ERROR(ConstantResponse(descs, ws, 0.5f, &spread, &n_in));
      r.const_response = 0;
      for (double v : spread) r.const_response = std::max(r.const_response, v);
      results->push_back(std::move(r));
    }
  }
  {  // resize-conv x3 (bilinear)
    std::vector<Tensor> ws;
    for (int l = 0; l < 3; ++l) ws.push_back(RandomWeight(C, 3, 1.0, rng));
    StackResult r;
    r.name = "resize_conv_x3";
    r.label = "bilinear x2 + conv3x3, x3";
    TCONV_RETURN_IF_ERROR(RunResizeConvStack(ws, img, &r.image_out));
    TCONV_RETURN_IF_ERROR(RunResizeConvStack(ws, konst, &r.const_out));
    results->push_back(std::move(r));
  }
  {  // sub-pixel with ICNR x3
    std::vector<Tensor> ws;
    for (int l = 0; l < 3; ++l) {
      Tensor base = RandomWeight(C, 3, 1.0, rng), w;
      TCONV_RETURN_IF_ERROR(IcnrWeight(base.cview(), 2, &w));
      ws.push_back(std::move(w));
    }
    StackResult r;
    r.name = "subpixel_icnr_x3";
    r.label = "sub-pixel conv3x3 + shuffle (ICNR), x3";
    TCONV_RETURN_IF_ERROR(RunSubPixelStack(ws, img, &r.image_out));
    TCONV_RETURN_IF_ERROR(RunSubPixelStack(ws, konst, &r.const_out));
    results->push_back(std::move(r));
  }
  return Status::Ok();
}

const int64_t kCrop = 48, kCropY = 160, kCropX = 80;  // a window over the roof edge, sky and wall

std::string Percent(double f) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", 100 * f);
  return buf;
}

// Section 4's input pictures; *panels receives the comparison's first panel.
Status WriteInputPictures(Ctx* c, const Tensor& img, uint64_t seed, std::vector<figure::Panel>* panels) {
  const int64_t C = img.shape[1], n = img.shape[2];
  Image in_img;
  TCONV_RETURN_IF_ERROR(TensorToImage(img.cview(), 0, 1, &in_img));
  TCONV_RETURN_IF_ERROR(WritePicture(c->dir, "image_input.png", "Input: procedural 48x48 RGB test image (nearest x8)",
                                     Magnify(in_img, 8),
                                     {"Sky gradient, sun, hills with value-noise grass, a house; seed " +
                                      std::to_string(seed) + ". Values in [0, 1], nothing clipped."}));
  Tensor up(Shape{1, C, n * 8, n * 8});
  ResampleParams rp;
  rp.scale = {8, 8};
  TCONV_RETURN_IF_ERROR(Resample(rp, img.cview(), up.view()));
  Image ci;
  TCONV_RETURN_IF_ERROR(CropImage(up, kCropY, kCropX, kCrop, &ci));
  TCONV_RETURN_IF_ERROR(WritePicture(c->dir, "crop_input.png", "Input, nearest x8: 48x48 window, magnified x4",
                                     Magnify(ci, 4), {"Rows 160-207, columns 80-127 of the 384x384 frame."}));
  panels->push_back(figure::Panel{Magnify(ci, 4), "input (nearest x8)\n" + Percent(ClippedToUnit(up)) + " clipped"});
  return Status::Ok();
}

// One stack's output pictures and table row; its constant-response map goes
// to *maps and its comparison panel to *panels.
Status WriteStackPictures(Ctx* c, const StackResult& r, std::vector<MapToDraw>* maps,
                          std::vector<figure::Panel>* panels) {
  double const_spread = 0, img_spread = 0;
  TCONV_RETURN_IF_ERROR(PhaseMeanSpread(r.const_out.cview(), 8, 16, &const_spread));
  TCONV_RETURN_IF_ERROR(PhaseMeanSpread(r.image_out.cview(), 8, 16, &img_spread));
  const double clipped = ClippedToUnit(r.image_out);
  const std::string clip_note = figure::ClippedNote(clipped, 0, 1) + " for display.";
  Image full, zoom;
  TCONV_RETURN_IF_ERROR(TensorToImage(r.image_out.cview(), 0, 1, &full));
  TCONV_RETURN_IF_ERROR(WritePicture(c->dir, "image_" + r.name + ".png", r.label + ": 384x384 output", full,
                                     {"Three x2 layers, random positive weights.", clip_note}));
  TCONV_RETURN_IF_ERROR(CropImage(r.image_out, kCropY, kCropX, kCrop, &zoom));
  TCONV_RETURN_IF_ERROR(WritePicture(c->dir, "crop_" + r.name + ".png", r.label + ": 48x48 window, magnified x4",
                                     Magnify(zoom, 4),
                                     {"Rows 160-207, columns 80-127 of the output.", "Whole output: " + clip_note}));
  // Short panel captions: five panels of 192 px side by side.
  const std::string short_label = r.name == "resize_conv_x3"     ? "resize-conv x3"
                                  : r.name == "subpixel_icnr_x3" ? "sub-pixel ICNR x3"
                                                                 : r.label;
  panels->push_back(figure::Panel{Magnify(zoom, 4), short_label + "\n" + Percent(clipped) + " clipped"});
  const int64_t mid = r.const_out.shape[2] / 2;
  maps->push_back(MapToDraw{"const_" + r.name + ".png", r.label + ": output for a constant 0.5 input",
                            Window(r.const_out, mid, mid, 32, 32), 32, 32, mid, mid});
  c->md << "| " << r.label << " | " << (r.phase_sum_spread >= 0 ? Num(r.phase_sum_spread) : std::string("n/a"))
        << " | " << (r.const_response >= 0 ? Num(r.const_response) : std::string("n/a")) << " | " << Num(const_spread)
        << " | " << Num(img_spread) << " | " << Percent(clipped) << " | ![](image_" << r.name << ".png) | ![](crop_"
        << r.name << ".png) | ![](const_" << r.name << ".png) |\n";
  return Status::Ok();
}

// Section 4's pictures and table, and the reading of the results.
Status WritePictureSection(Ctx* c, const Tensor& img, const std::vector<StackResult>& results, uint64_t seed) {
  c->md << "\n## 4. A picture through random-weight stacks\n\n"
        << "A procedural 48x48 RGB image (sky gradient, sun, hills with value-noise grass, a house) "
        << "goes through three x2 layers of each kind (384x384 out), 3 channels throughout, seed " << seed
        << ". Weights are random but positive and normalised (u ~ U(0.5, 1.5) per tap, 0.8 on the "
        << "channel diagonal, 0.1 off it; a stride-2 deconvolution kernel sums to 4, a convolution "
        << "kernel to 1) so that the picture survives and only the artifact differs. The sub-pixel "
        << "stack uses ICNR: every sub-position copies the same random 3x3 kernel.\n\n"
        << "Columns: *phase-sum spread* = max over (ci, co) of max - min of the first layer's per-phase "
        << "kernel sums (0 = a constant input gives a constant output); *constant response* = max - min "
        << "over the interior of the output for a constant 0.5 input through the whole stack "
        << "(ConstantResponse, deconvolutions only); *phase-mean spread* = PhaseMeanSpread(period 8, "
        << "margin 16): the largest difference between the means of the 8x8 phase classes, for the "
        << "constant input and for the picture; *clipped* = share of the output's values outside [0, 1], "
        << "which the pictures clamp. The four constant-input maps share one colour scale.\n\n"
        << "| stack | phase-sum spread (layer 1) | constant response | phase-mean spread, constant 0.5 "
        << "| phase-mean spread, picture | clipped to [0, 1] | output | zoom (48x48 x4) | constant input (zoom) |\n"
        << "|---|---|---|---|---|---|---|---|---|\n";
  std::vector<figure::Panel> panels;
  TCONV_RETURN_IF_ERROR(WriteInputPictures(c, img, seed, &panels));
  std::vector<MapToDraw> maps;
  for (const StackResult& r : results) TCONV_RETURN_IF_ERROR(WriteStackPictures(c, r, &maps, &panels));
  TCONV_RETURN_IF_ERROR(WriteHeatmaps(c->dir, maps, "output value (channel 0)", true));
  TCONV_RETURN_IF_ERROR(WritePng(
      c->dir + "/comparison.png",
      figure::DrawPanels("The same 48x48 window of each 384x384 output, magnified x4", panels,
                         {"Window: rows 160-207, columns 80-127. Under each panel: the share of the whole output's",
                          "values outside [0, 1], which the picture clamps."})));
  c->md << "\nInput (nearest x8 for reference): ![](image_input.png)\n\n"
        << "Side by side, the same 48x48 window of each output magnified x4 (input, deconv k3s2 x3, "
        << "deconv k4s2 x3, resize-conv x3, sub-pixel ICNR x3), each panel labelled with its clipping:\n\n"
        << "![](comparison.png)\n\n"
        << "## Reading the results\n\n"
        << "* k3 s2 gives every other output one tap instead of two: the 1,2 / 2,4 grid, and after "
           "three layers a 25:1 range inside the image.\n"
        << "* k4 s2 is even with equal weights, but random weights make the phase sums unequal "
           "again, so a weaker grid remains (non-zero phase-sum spread and constant response).\n"
        << "* Resize-convolution has no phase structure at all (phase-mean spread 0 for a constant "
           "input); it is smoother but cannot create detail at the new resolution by itself.\n"
        << "* Sub-pixel convolution initialised with ICNR equals nearest upsampling of a "
           "low-resolution convolution: no grid at initialisation (spread 0), blocky until trained.\n";
  return Status::Ok();
}

Status WriteReport(const std::string& dir, uint64_t seed, bool html) {
  Ctx c;
  c.dir = dir;
  std::ostringstream& md = c.md;
  md << "# Checkerboard artifacts of transposed convolution\n\n"
     << "Generated by `tconv checkerboard --out DIR --seed " << seed
     << "` (deterministic). Every number below is computed by the tconv library "
     << "(`tconv/checkerboard.h`, `resample.h`, `pixel_shuffle.h`, `conv.h`, `plan.h`); see "
     << "docs/CHECKERBOARD.md for the definitions.\n\n";

  TCONV_RETURN_IF_ERROR(WriteDeconvOverlapSections(&c));
  TCONV_RETURN_IF_ERROR(WriteResizeConvSection(&c));

  // ---- 4: a picture through random-weight stacks ----
  Rng rng(seed);
  const int n = 48;
  const Tensor img = TestImage(n, &rng);
  const int64_t C = 3;
  const Tensor konst(Shape{1, C, n, n}, 0.5f);
  std::vector<StackResult> results;
  TCONV_RETURN_IF_ERROR(RunStacks(img, konst, &rng, &results));
  TCONV_RETURN_IF_ERROR(WritePictureSection(&c, img, results, seed));
  const std::string text = md.str();
  TCONV_RETURN_IF_ERROR(WriteFileAtomic(dir + "/report.md", text.data(), text.size()));
  if (!html) return Status::Ok();
  std::string page;
  TCONV_RETURN_IF_ERROR(figure::MarkdownToHtml(text, dir, "tconv checkerboard report", &page));
  return WriteFileAtomic(dir + "/report.html", page.data(), page.size());
}

struct CheckerboardArgs {
  std::string out;
  std::string seed = "1";  // parsed strictly: "-1" and 2^64 are errors, not wrapped
  bool html = false;
};

int RunCheckerboard(const CheckerboardArgs& a) {
  uint64_t seed = 0;
  Status st = ParseUint64("--seed", a.seed, &seed);
  if (!st.ok()) return Fail(st);
  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  if (ec || !std::filesystem::is_directory(a.out)) {
    return Fail("--out: cannot create the folder " + a.out + (ec ? ": " + ec.message() : std::string()));
  }
  st = WriteReport(a.out, seed, a.html);
  if (!st.ok()) return Fail(st);
  std::printf("wrote %s/report.md%s\n", a.out.c_str(), a.html ? " and report.html" : "");
  return 0;
}

Runner SetupCheckerboard(CLI::App* sub) {
  auto a = std::make_shared<CheckerboardArgs>();
  AddPathOption(sub, "--out", &a->out, "folder for report.md and the PNG pictures (created if missing)", true);
  sub->add_option("--seed", a->seed, "seed of the test image and random weights, 0 .. 2^64-1 (default 1)");
  sub->add_flag("--html", a->html, "also write report.html: one self-contained file, pictures inlined");
  return [a] { return RunCheckerboard(*a); };
}

}  // namespace

TCONV_REGISTER_COMMAND(checkerboard, "checkerboard",
                       "reproduce the checkerboard-artifact experiments: report.md + PNG pictures", SetupCheckerboard);

}  // namespace cli
}  // namespace tconv
