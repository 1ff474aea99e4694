// Wisdom: the algorithm measured fastest for a layer, remembered (the word
// and the idea are FFTW's).
//
// A plan created with PlanOptions::tune = Tune::kMeasure and algo "auto"
// times every algorithm that can run the layer once on scratch data (each
// for a bounded time) and keeps the fastest. It records the choice in a
// Wisdom store under a key made of the geometry, the thread count, the
// layout, the ISA the kernels run at and the element type. Every later
// "auto" plan with the same key, measured or not, runs the recorded
// algorithm without measuring. A store can be saved to a text file and
// loaded in another process:
//
//   tconv::Wisdom& w = tconv::Wisdom::Global();   // what plans use by default
//   w.Load("tconv.wisdom");                       // Status: missing, corrupt...
//   tconv::PlanOptions opts;
//   opts.tune = tconv::Tune::kMeasure;
//   auto plan = tconv::Plan::Create(desc, weight, bias, opts, &st);
//   w.Save("tconv.wisdom");                       // atomic: old or new file, never half
//
// The file format (version 1, one entry a line, text):
//
//   tconv-wisdom 1
//   f32 isa=avx512 threads=2 layout=nchw n=8 cin=512 cout=256 groups=1 in=4x4 kernel=4x4 stride=2x2
//       dilation=1x1 pads=1x1/1x1 output_padding=0x0 -> phase 0.000231
//   end 1
//
// (one line per entry: the key, "->", the algorithm, the seconds measured).
// Lines starting with '#' are comments. Load checks everything (header and
// version, every field, the geometry, the algorithm name, the closing
// "end <count>" line that catches a truncated file) and refuses the whole
// file with a message naming the file and line; the store is then left as
// it was. An entry for another ISA or thread count is kept but never
// matches here.
#ifndef TCONV_WISDOM_H_
#define TCONV_WISDOM_H_

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "tconv/status.h"

namespace tconv {

class Wisdom {
 public:
  struct Entry {
    std::string algorithm;
    double seconds = 0;  // the measured time of one Run
  };

  // The process-wide store, used by plans whose PlanOptions::wisdom is null.
  static Wisdom& Global();

  // Merges the entries of a wisdom file (an entry with the same key is
  // replaced). On error nothing is merged.
  Status Load(const std::string& path);
  // Writes every entry, atomically (src/io/atomic_write.h).
  Status Save(const std::string& path) const;
  // The same on text; `what` names the source in error messages.
  Status FromText(const std::string& text, const std::string& what = "wisdom");
  std::string ToText() const;

  // The recorded entry for a key (a plan's WisdomKey), if any.
  bool Lookup(const std::string& key, Entry* entry) const;
  void Record(const std::string& key, const Entry& entry);
  size_t size() const;
  void Clear();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace tconv

#endif  // TCONV_WISDOM_H_
