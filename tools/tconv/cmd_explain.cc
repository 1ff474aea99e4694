// `tconv explain`: what a layer would do, without any data.
//
//   tconv explain --input-shape N,C,D1[,D2,D3] --weight-shape ... [--op conv-transpose|conv]
//       [geometry flags of conv-transpose] [--max-memory BYTES]
//
// Prints the output shape, the pads in effect (after output_shape, auto_pad
// or target_shape), output padding, nominal flops, and for conv-transpose one
// row per algorithm (multiply-adds executed, workspace, packed weights), the
// kernel each would run at the active ISA, and the one `auto` picks, with
// its reason (the cost model's pick, or the fallback when its memory does
// not fit). Bounded time and memory whatever the numbers: nothing of the
// layer's size is allocated.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "src/base/checked_int.h"
#include "tconv/limits.h"
#include "tconv/plan.h"
#include "tools/tconv/cli_common.h"
#include "tools/tconv/command.h"

namespace tconv {
namespace cli {
namespace {

struct ExplainArgs {
  std::string input_shape, weight_shape;
  std::string op = "conv-transpose";
  std::string dtype = "f32";
  GeometryFlags geo;
  TransposeFlags tr;
};

// Byte counts; INT64_MAX (a saturated count, src/base/checked_int.h) reads "> 2^63 B".
std::string Bytes(int64_t b) { return b == INT64_MAX ? "> 2^63 B" : FormatBytes(b); }

// "12345678" -> "12,345,678"; a saturated count reads "> 2^63".
std::string Grouped(int64_t v) {
  if (v == INT64_MAX) return "> 2^63";
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return (v < 0 ? "-" : "") + out;
}

// A number for a formula: negative ones in parentheses ("0-(-1)").
std::string N(int64_t v) { return v < 0 ? "(" + std::to_string(v) + ")" : std::to_string(v); }

void Row(const char* key, const std::string& value) { std::printf("%-16s %s\n", key, value.c_str()); }

// One row per algorithm (multiply-adds, workspace, packed weights), the
// kernel each runs at the active ISA, and auto's pick with its reason.
void PrintAlgorithms(const ConvDesc& d, int64_t flops, int64_t limit, int threads, DataType dtype) {
  std::printf("\n%-14s %16s %8s %12s %12s  %s\n", "algorithm", "multiply-adds", "vs nom", "workspace", "packed",
              "summary");
  const int64_t nominal = flops == INT64_MAX ? INT64_MAX : flops / 2;
  const int64_t out_bytes = SatMul(NumElements(ConvTransposeOutputShape(d)), sizeof(float));
  const std::vector<AlgorithmEstimate> estimates = EstimateAlgorithms(d, dtype, threads);
  bool bounds = false;
  for (const AlgorithmEstimate& e : estimates) {
    if (!e.refused.empty()) {
      std::printf("%-14s %16s %8s %12s %12s  [refused: %s]\n", e.name.c_str(), "-", "-", "-", "-", e.refused.c_str());
      continue;
    }
    char ratio[32];
    if (nominal > 0 && nominal < INT64_MAX && e.macs < INT64_MAX) {
      std::snprintf(ratio, sizeof ratio, "%.2fx", static_cast<double>(e.macs) / static_cast<double>(nominal));
    } else {
      std::snprintf(ratio, sizeof ratio, "-");
    }
    // (An inexact workspace is an upper bound: explain does not pack large weights.)
    const std::string ws = (e.exact ? "" : "<= ") + Bytes(e.workspace_bytes);
    bounds = bounds || !e.exact;
    // (phase fits when its general path, which needs no workspace, does.)
    const int64_t ws_needed = e.name == "phase" ? 0 : e.workspace_bytes;
    const bool fits = CheckMemory("", SatAdd(SatAdd(out_bytes, ws_needed), e.packed_bytes), limit).ok();
    std::printf("%-14s %16s %8s %12s %12s  %s%s\n", e.name.c_str(), Grouped(e.macs).c_str(), ratio, ws.c_str(),
                Bytes(e.packed_bytes).c_str(), fits ? "" : "[over the memory limit] ", e.summary.c_str());
  }
  if (bounds) std::printf("(<= : an upper bound; explain packs no weights of more than 2^22 floats)\n");
  auto kernel_of = [](const AlgorithmEstimate& e) {
    return e.kernel.empty() ? std::string("(not prepared: large layer or empty batch)") : e.kernel;
  };
  std::printf("\n%-14s %s\n", "algorithm", "kernel it runs");
  for (const AlgorithmEstimate& e : estimates)
    if (e.refused.empty()) std::printf("%-14s %s\n", e.name.c_str(), kernel_of(e).c_str());
  std::string why;
  const std::string pick = AutoAlgorithm(d, &why, limit, threads, dtype);
  std::printf("\nauto picks: %s (%s)\n", pick.c_str(), why.c_str());
  for (const AlgorithmEstimate& e : estimates)
    if (e.name == pick) std::printf("auto kernel: %s\n", kernel_of(e).c_str());
  if (dtype == DataType::kInt8) {
    std::printf("int8: phase and ref give the same bits (requantization: tconv/quant.h)\n");
    return;
  }
  if (dtype == DataType::kBFloat16) {
    std::printf("non-finite weights: a bf16 plan whose weights hold NaN or Inf after rounding runs ref\n");
    return;
  }
  std::printf(
      "non-finite weights: a plan whose weights hold NaN or Inf runs phase's general path (real taps only), "
      "for auto, phase and zero_insert alike\n");
}

int RunExplain(const ExplainArgs& a) {
  Status st;
  OpKind op;
  if (a.op == "conv-transpose" || a.op == "conv_transpose") {
    op = OpKind::kConvTranspose;
  } else if (a.op == "conv") {
    op = OpKind::kConv;
  } else {
    return Fail("--op must be conv-transpose or conv (got '" + a.op + "')");
  }
  DataType dtype;
  if (!(st = ParseDType("--dtype", a.dtype, &dtype)).ok()) return Fail(st);
  std::vector<int64_t> in, w;
  if (!(st = ParseIntList("--input-shape", a.input_shape, &in)).ok()) return Fail(st);
  if (!(st = ParseIntList("--weight-shape", a.weight_shape, &w)).ok()) return Fail(st);
  ConvDesc d;
  if (!(st = InferConvDesc(op, in, w, a.geo.groups, "--input-shape", "--weight-shape", &d)).ok()) return Fail(st);
  const bool transpose = op == OpKind::kConvTranspose;
  if (!transpose && dtype != DataType::kFloat32) {
    return Fail(std::string("--dtype ") + DataTypeName(dtype) + " applies to --op conv-transpose only");
  }
  if (transpose) {
    if (!(st = ResolveConvTransposeDesc(a.geo, a.tr, &d)).ok()) return Fail(st);
  } else {
    if (!a.tr.output_padding.empty() || !a.tr.output_shape.empty() || !a.tr.auto_pad.empty() ||
        !a.tr.target_shape.empty()) {
      return Fail("--output-padding, --output-shape, --auto-pad and --target-shape apply to --op conv-transpose only");
    }
    if (!(st = ResolveConvDesc(a.geo, &d)).ok()) return Fail(st);
  }
  const int n = d.ndim;
  Row("op", transpose ? "conv-transpose (weight: Cin, Cout/groups, *kernel)" : "conv (weight: Cout, Cin/groups, *kernel)");
  Row("input", ShapeString(transpose ? ConvTransposeInputShape(d) : ConvInputShape(d)));
  Row("weight", ShapeString(transpose ? ConvTransposeWeightShape(d) : ConvWeightShape(d)));
  Row("output", ShapeString(transpose ? ConvTransposeOutputShape(d) : ConvOutputShape(d)));
  Row("groups", std::to_string(d.groups));
  Row("stride", JoinDims(d.stride, n, ", "));
  Row("dilation", JoinDims(d.dilation, n, ", "));
  Row("pads begin", JoinDims(d.pad_begin, n, ", "));
  Row("pads end", JoinDims(d.pad_end, n, ", "));
  if (transpose) Row("output_padding", JoinDims(d.output_padding, n, ", "));
  std::string rule;
  for (int ax = 0; ax < n; ++ax) {
    if (transpose) {
      rule += (ax ? "; " : "") + std::string("(") + std::to_string(d.in[ax]) + "-1)*" + std::to_string(d.stride[ax]) +
              "+" + std::to_string(d.dilation[ax]) + "*(" + std::to_string(d.kernel[ax]) + "-1)+1-" +
              N(d.pad_begin[ax]) + "-" + N(d.pad_end[ax]) + "+" + N(d.output_padding[ax]) + " = " + std::to_string(ConvTransposeOutputLength(d, ax));
    } else {
      rule += (ax ? "; " : "") + std::string("floor((") + std::to_string(d.in[ax]) + "+" +
              N(d.pad_begin[ax]) + "+" + N(d.pad_end[ax]) + "-" +
              std::to_string(EffectiveKernel(d, ax)) + ")/" + std::to_string(d.stride[ax]) + ")+1 = " +
              std::to_string(ConvOutputLength(d, ax));
    }
  }
  Row("output size", rule);
  const int64_t flops = transpose ? ConvTransposeFlops(d) : ConvFlops(d);
  Row("flops", Grouped(flops) + " (nominal, 2 per multiply-add)");
  Row("desc", DescString(d));
  Row("dtype", dtype == DataType::kBFloat16 ? "bf16 (x, w in bf16; f32 accumulation; y f32 or bf16)"
               : dtype == DataType::kInt8
                   ? "int8 (x u8/s8, w s8, bias s32; exact int32 accumulation; y requantized u8/s8 or f32)"
                   : "f32");
  if (!transpose) {
    std::printf("\nalgorithms: gemm (im2col + sgemm; what auto uses), ref (reference loops)\n");
    return 0;
  }
  int64_t limit = 0;
  if (!(st = MemoryLimit(a.geo, &limit)).ok()) return Fail(st);
  PrintAlgorithms(d, flops, limit, a.geo.threads, dtype);
  const int64_t nhwc = LayoutConversionBytes(d, Layout::kNHWC);
  std::printf(
      "channels last (--layout nhwc) adds up to %s of workspace for the channels-first copies of x and y "
      "(less where the algorithm reads or writes channels last itself)\n",
      Bytes(nhwc).c_str());
  return 0;
}

Runner SetupExplain(CLI::App* sub) {
  auto a = std::make_shared<ExplainArgs>();
  sub->add_option("--input-shape", a->input_shape, "input shape N,C,D1[,D2,D3]")->required();
  sub->add_option("--weight-shape", a->weight_shape, "weight shape (Cin,Cout/g,*k for conv-transpose)")->required();
  sub->add_option("--op", a->op, "conv-transpose (default) or conv");
  sub->add_option("--dtype", a->dtype, "f32 (default) or bf16: the element type of the plans explained");
  AddGeometryOptions(sub, &a->geo);
  AddTransposeOptions(sub, &a->tr);
  return [a] { return RunExplain(*a); };
}

}  // namespace

TCONV_REGISTER_COMMAND(explain, "explain", "sizes, pads, flops and algorithm costs of a layer (no data)",
                       SetupExplain);

}  // namespace cli
}  // namespace tconv
