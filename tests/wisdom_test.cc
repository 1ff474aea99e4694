// PlanOptions::tune = kMeasure and the wisdom store (include/tconv/wisdom.h):
// measured plans compute ref's result, wisdom survives a text and a file
// round trip, a recorded entry decides what `auto` runs, and damaged wisdom
// files are refused whole with a message naming the file and line (exit 2
// from the CLI).
#include "tconv/wisdom.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/dispatch/cpu.h"
#include "src/tune/wisdom_key.h"
#include "tconv/npy.h"
#include "tconv/plan.h"
#include "tconv/reference.h"
#include "tests/cli_run.h"
#include "tests/support/random_geometry.h"

namespace tconv {
namespace {

using ::tconv::testing::FillIntegers;
using ::tconv::testing::ReadWholeFile;
using ::tconv::testing::RunCli;
using ::tconv::testing::Square2D;
using ::tconv::testing::TempDir;
using ::tconv::testing::WriteWholeFile;

struct Layer {
  ConvDesc d;
  Tensor x, w, b, want;
  explicit Layer(const ConvDesc& desc)
      : d(desc),
        x(ConvTransposeInputShape(d)),
        w(ConvTransposeWeightShape(d)),
        b(Shape{d.out_channels}),
        want(ConvTransposeOutputShape(d)) {
    FillIntegers(&x.data, 1, 3);  // small integers: every algorithm is exact
    FillIntegers(&w.data, 2, 3);
    FillIntegers(&b.data, 3, 3);
    EXPECT_TRUE(ConvTransposeRef(d, x.cview(), w.cview(), b.cview(), want.view()).ok());
  }
  std::vector<float> Run(const PlanOptions& o, std::string* algo, std::string* note) const {
    Status st;
    auto p = Plan::Create(d, w.cview(), b.cview(), o, &st);
    EXPECT_NE(p, nullptr) << st.message();
    if (!p) return {};
    Tensor y(p->output_shape(), NAN);
    EXPECT_TRUE(p->Run(x.cview(), y.view()).ok());
    *algo = p->algorithm();
    *note = p->note();
    return y.data;
  }
};

std::vector<ConvDesc> Layers() {
  ConvDesc one_d = Square2D(2, 16, 1, 1, 64, 1, 1, 0);  // a 1-D-like decoder, Cout 1
  one_d.kernel = {1, 8, 1};
  one_d.stride = {1, 4, 1};
  one_d.pad_begin = one_d.pad_end = {0, 2, 0};
  return {Square2D(2, 8, 6, 9, 7, 3, 2, 1, 1), Square2D(1, 4, 4, 5, 5, 4, 2, 1, 0, 4), one_d};
}

TEST(Wisdom, MeasuredPlansMatchTheReferenceAndAreRecorded) {
  for (int threads : {1, 2}) {
    for (const ConvDesc& d : Layers()) {
      Layer l(d);
      Wisdom store;
      PlanOptions o;
      o.tune = Tune::kMeasure;
      o.threads = threads;
      o.wisdom = &store;
      std::string algo, note;
      EXPECT_EQ(l.Run(o, &algo, &note), l.want.data) << DescString(d);
      EXPECT_EQ(note.rfind("tune measure: ", 0), 0u) << note;
      EXPECT_NE(note.find("gemm_col2im"), std::string::npos) << note;  // every candidate is reported
      ASSERT_EQ(store.size(), 1u);
      Wisdom::Entry e;
      ASSERT_TRUE(store.Lookup(WisdomKey(d, threads, Layout::kNCHW, dispatch::ActiveIsaName()), &e));
      EXPECT_EQ(e.algorithm, algo);
      EXPECT_GT(e.seconds, 0.0);
      // The next auto plan takes the entry without measuring.
      std::string algo2, note2;
      o.tune = Tune::kEstimate;
      EXPECT_EQ(l.Run(o, &algo2, &note2), l.want.data);
      EXPECT_EQ(algo2, algo);
      EXPECT_EQ(note2.rfind("wisdom: " + algo, 0), 0u) << note2;
    }
  }
}

TEST(Wisdom, AnEntryForcesItsAlgorithmForItsKeyOnly) {
  const ConvDesc d = Layers()[0];
  Layer l(d);
  for (const char* algo_name : {"phase", "gemm_col2im", "gather", "zero_insert"}) {
    const std::string name = algo_name;
    Wisdom store;
    store.Record(WisdomKey(d, 1, Layout::kNCHW, dispatch::ActiveIsaName()), {name, 1e-3});
    store.Record(WisdomKey(d, 2, Layout::kNCHW, dispatch::ActiveIsaName()), {"ref", 1e-3});  // another thread count
    PlanOptions o;
    o.wisdom = &store;
    std::string algo, note;
    EXPECT_EQ(l.Run(o, &algo, &note), l.want.data) << name;
    EXPECT_EQ(algo, name);
    EXPECT_EQ(note, "wisdom: " + name + " (measured 1 ms)");
    o.algo = "ref";  // a forced algorithm ignores wisdom
    EXPECT_EQ(l.Run(o, &algo, &note), l.want.data);
    EXPECT_EQ(algo, "ref");
  }
  Wisdom other;  // an entry for another ISA never matches
  other.Record(WisdomKey(d, 1, Layout::kNCHW, "some_other_isa"), {"ref", 1e-3});
  PlanOptions o;
  o.wisdom = &other;
  std::string algo, note;
  l.Run(o, &algo, &note);
  EXPECT_NE(algo, "ref");
  EXPECT_EQ(note, "");
}

TEST(Wisdom, RoundTripsThroughTextAndAFile) {
  Wisdom a;
  const std::vector<ConvDesc> ds = Layers();
  a.Record(WisdomKey(ds[0], 1, Layout::kNCHW, "avx512"), {"phase", 0.000231});
  a.Record(WisdomKey(ds[1], 2, Layout::kNHWC, "avx2"), {"gemm_col2im", 1.5});
  a.Record(WisdomKey(ds[2], 4, Layout::kNCHW, "scalar"), {"gather", 2e-6});
  const std::string text = a.ToText();
  EXPECT_EQ(text.rfind("tconv-wisdom 1\n", 0), 0u) << text;
  Wisdom b;
  ASSERT_TRUE(b.FromText(text).ok());
  EXPECT_EQ(b.ToText(), text);
  TempDir dir;
  ASSERT_TRUE(a.Save(dir / "w.wisdom").ok());
  EXPECT_EQ(ReadWholeFile(dir / "w.wisdom"), text);
  Wisdom c;
  ASSERT_TRUE(c.Load(dir / "w.wisdom").ok());
  EXPECT_EQ(c.ToText(), text);
  Wisdom::Entry e;
  ASSERT_TRUE(c.Lookup(WisdomKey(ds[1], 2, Layout::kNHWC, "avx2"), &e));
  EXPECT_EQ(e.algorithm, "gemm_col2im");
  EXPECT_EQ(e.seconds, 1.5);
}

TEST(Wisdom, DamagedTextIsRefusedWholeWithTheLine) {
  Wisdom good;
  good.Record(WisdomKey(Layers()[0], 1, Layout::kNCHW, "avx512"), {"phase", 0.001});
  good.Record(WisdomKey(Layers()[1], 1, Layout::kNCHW, "avx512"), {"gather", 0.002});
  const std::string text = good.ToText();
  const std::string line2 = text.substr(15, text.find('\n', 15) - 15);
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {"\x7f"
       "ELF\x01\x02\n",
       "not a tconv wisdom file"},
      {replace("tconv-wisdom 1", "tconv-wisdom 2"), "version '2' is not supported"},
      {text.substr(0, text.rfind("end 2")), "no 'end <count>' line"},
      {text.substr(0, 40), "the last line has no newline"},
      {replace("end 2", "end 3"), "'end 3' but the file holds 2 entries"},
      {replace(" -> phase", " -> fastest"), "unknown algorithm 'fastest'"},
      {replace(" -> phase 0.001", " -> phase -1"), "bad seconds '-1'"},
      {replace("cin=8", "cin=x8"), "not a list of non-negative integers"},
      {replace("f32 isa=avx512 threads=1", "bf16 isa=avx512 threads=1"), "unknown element type 'bf16'"},
      {replace("stride=2x2", "stride=0x2"), "the geometry is invalid"},
      {replace("threads=1", "threads=01"), "canonical"},
      {replace("isa=avx512", "isa="), "bad isa ''"},
      {replace("layout=nchw", "layout=nwhc"), "bad layout 'nwhc'"},
      {replace(line2, line2.substr(0, 30)), "expected '<key> -> <algorithm> <seconds>'"},
      {text + "trailing\n", "text after the 'end' line"},
  };
  for (const auto& [t, needle] : bad) {
    Wisdom w;
    w.Record("kept", {"phase", 1.0});  // untouched by a refused file
    const Status st = w.FromText(t, "wisdom file 'w'");
    EXPECT_FALSE(st.ok()) << needle;
    EXPECT_NE(st.message().find(needle), std::string::npos) << st.message();
    EXPECT_EQ(st.message().rfind("wisdom file 'w'", 0), 0u) << st.message();
    EXPECT_EQ(w.size(), 1u);
  }
  Wisdom w;
  EXPECT_NE(w.Load("/nonexistent/dir/w").message().find("cannot open wisdom file"), std::string::npos);
  EXPECT_NE(w.Load("/dev/null").message().find("not a regular file"), std::string::npos);
}

TEST(Wisdom, CliMeasuresWritesAndRefusesDamagedFiles) {
  TempDir dir;
  Tensor x(Shape{1, 2, 4, 5}), w(Shape{2, 3, 3, 3});
  FillIntegers(&x.data, 4, 3);
  FillIntegers(&w.data, 5, 3);
  ASSERT_TRUE(WriteNpyAtomic(dir / "x.npy", x).ok());
  ASSERT_TRUE(WriteNpyAtomic(dir / "w.npy", w).ok());
  const std::vector<std::string> base = {"conv-transpose", "--input",     dir / "x.npy", "--weight", dir / "w.npy",
                                         "--output",       dir / "y.npy", "--stride",    "2",        "--wisdom",
                                         dir / "t.wisdom"};
  std::vector<std::string> measure = base;
  measure.insert(measure.end(), {"--tune", "measure"});
  auto r = RunCli(measure);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Wisdom loaded;
  ASSERT_TRUE(loaded.Load(dir / "t.wisdom").ok());
  EXPECT_EQ(loaded.size(), 1u);
  r = RunCli(base);  // reads it back
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string text = ReadWholeFile(dir / "t.wisdom");
  WriteWholeFile(dir / "t.wisdom", text.substr(0, text.size() / 2));  // truncated
  r = RunCli(base);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.ErrLines(), 1) << r.err;
  EXPECT_NE(r.err.find("tconv: error: --wisdom: wisdom file '" + dir / "t.wisdom" + "' line"), std::string::npos)
      << r.err;
  std::vector<std::string> bad_tune = base;
  bad_tune.insert(bad_tune.end(), {"--tune", "fast"});
  r = RunCli(bad_tune);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--tune must be estimate or measure (got 'fast')"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tconv
