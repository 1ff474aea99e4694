// The wisdom store (include/tconv/wisdom.h): entries in memory, the text
// format, and the file's strict loader.
#include "tconv/wisdom.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "src/io/atomic_write.h"
#include "src/tune/wisdom_key.h"
#include "tconv/plan.h"

namespace tconv {
namespace {

constexpr char kHeader[] = "tconv-wisdom 1";
constexpr int64_t kMaxFileBytes = int64_t{16} << 20;

bool KnownAlgorithm(const std::string& name) {
  for (const std::string& n : AlgorithmNames())
    if (n == name) return true;
  return false;
}

// "<key> -> <algorithm> <seconds>" into *key and *e.
Status ParseEntry(const std::string& line, std::string* key, Wisdom::Entry* e) {
  const size_t arrow = line.find(" -> ");
  if (arrow == std::string::npos) return Status::Invalid("expected '<key> -> <algorithm> <seconds>'");
  *key = line.substr(0, arrow);
  TCONV_RETURN_IF_ERROR(CheckWisdomKey(*key));
  const std::string rest = line.substr(arrow + 4);
  const size_t sp = rest.find(' ');
  if (sp == std::string::npos) return Status::Invalid("expected '<algorithm> <seconds>' after '->'");
  e->algorithm = rest.substr(0, sp);
  if (!KnownAlgorithm(e->algorithm)) return Status::Invalid("unknown algorithm '" + e->algorithm + "'");
  const std::string secs = rest.substr(sp + 1);
  char* end = nullptr;
  errno = 0;
  e->seconds = std::strtod(secs.c_str(), &end);
  if (secs.empty() || errno != 0 || *end != '\0' || !std::isfinite(e->seconds) || e->seconds <= 0) {
    return Status::Invalid("bad seconds '" + secs + "' (a positive number)");
  }
  return Status::Ok();
}

// The whole file, if it is a regular file of at most 16 MiB; a FIFO or a
// device is refused without blocking.
Status ReadWisdomFile(const std::string& path, std::string* text) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::Io("cannot open wisdom file '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxFileBytes) {
    ::close(fd);
    return Status::Io("wisdom file '" + path + "' is not a regular file of at most 16 MiB");
  }
  char buf[1 << 16];
  for (;;) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      const std::string err = std::strerror(errno);
      ::close(fd);
      return Status::Io("cannot read wisdom file '" + path + "': " + err);
    }
    if (r == 0) break;
    text->append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return Status::Ok();
}

}  // namespace

Wisdom& Wisdom::Global() {
  static Wisdom* w = new Wisdom();  // never destroyed: plans may outlive static destruction order
  return *w;
}

Status Wisdom::FromText(const std::string& text, const std::string& what) {
  std::vector<std::pair<std::string, Entry>> parsed;
  bool header = false, end = false;
  size_t line_no = 0, pos = 0;
  auto fail = [&](const std::string& m) {
    return Status::Invalid(what + " line " + std::to_string(line_no) + ": " + m);
  };
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      ++line_no;
      return fail("truncated (the last line has no newline)");
    }
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (end) return fail("text after the 'end' line");
    if (!header) {
      if (line.compare(0, 13, "tconv-wisdom ") == 0 && line != kHeader) {
        return fail("version '" + line.substr(13) + "' is not supported (this tconv reads version 1)");
      }
      if (line != kHeader) return fail("not a tconv wisdom file (expected the header '" + std::string(kHeader) + "')");
      header = true;
      continue;
    }
    if (line.compare(0, 4, "end ") == 0) {
      if (line.substr(4) != std::to_string(parsed.size())) {
        return fail("'" + line + "' but the file holds " + std::to_string(parsed.size()) + " entries");
      }
      end = true;
      continue;
    }
    std::string key;
    Entry e;
    const Status st = ParseEntry(line, &key, &e);
    if (!st.ok()) return fail(st.message());
    parsed.emplace_back(std::move(key), std::move(e));
  }
  if (!header) return Status::Invalid(what + ": empty (no '" + std::string(kHeader) + "' header)");
  if (!end) return Status::Invalid(what + ": truncated (no 'end <count>' line)");
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [k, e] : parsed) entries_[k] = e;
  return Status::Ok();
}

std::string Wisdom::ToText() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out = std::string(kHeader) + "\n";
  char secs[32];
  for (const auto& [k, e] : entries_) {
    std::snprintf(secs, sizeof secs, "%.6g", e.seconds);
    out += k + " -> " + e.algorithm + " " + secs + "\n";
  }
  return out + "end " + std::to_string(entries_.size()) + "\n";
}

Status Wisdom::Load(const std::string& path) {
  std::string text;
  TCONV_RETURN_IF_ERROR(ReadWisdomFile(path, &text));
  return FromText(text, "wisdom file '" + path + "'");
}

Status Wisdom::Save(const std::string& path) const {
  const std::string text = ToText();
  return WriteFileAtomic(path, text.data(), text.size());
}

bool Wisdom::Lookup(const std::string& key, Entry* entry) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  if (entry) *entry = it->second;
  return true;
}

void Wisdom::Record(const std::string& key, const Entry& entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[key] = entry;
}

size_t Wisdom::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

void Wisdom::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
}

}  // namespace tconv
