// The atomic file writer (see atomic_write.h) and RemovePendingTempFiles
// (include/tconv/npy.h).
#include "src/io/atomic_write.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <ctime>

#include "tconv/npy.h"

namespace tconv {
namespace {

// ---- named temporaries a signal handler may have to remove ----
// A slot is 0 (free), 1 (claimed, its file not there yet) or 2 (its file
// may exist). Only async-signal-safe operations touch a slot in state 2.
constexpr int kSlots = 16;
std::atomic<int> g_slot_state[kSlots];
char g_slot_path[kSlots][PATH_MAX];

int ClaimSlot(const std::string& name) {
  if (name.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slot_state[i].compare_exchange_strong(expected, 1)) {
      std::memcpy(g_slot_path[i], name.c_str(), name.size() + 1);
      return i;
    }
  }
  return -1;  // more concurrent writers than slots: this one goes unregistered
}
void MarkLive(int slot) {
  if (slot >= 0) g_slot_state[slot].store(2);
}
void ReleaseSlot(int slot) {
  if (slot >= 0) g_slot_state[slot].store(0);
}

// Blocks every catchable signal in this thread while a temporary has a name
// and is not yet registered or renamed.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

std::string Errno(int e) { return std::strerror(e); }

// "<dir>/<base, cut to fit NAME_MAX>.tmp.<12 random letters>".
std::string TempName(const std::string& dir, const std::string& base) {
  uint64_t r = 0;
  if (::getrandom(&r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r)) {
    static std::atomic<uint64_t> counter{0};
    r = (static_cast<uint64_t>(::getpid()) << 32) ^ static_cast<uint64_t>(std::time(nullptr)) ^
        (counter.fetch_add(1) * 0x9e3779b97f4a7c15ULL) ^ static_cast<uint64_t>(std::clock());
  }
  char suffix[13];
  for (int i = 0; i < 12; ++i, r >>= 5) suffix[i] = "abcdefghijklmnopqrstuvwxyz234567"[r & 31];
  suffix[12] = '\0';
  constexpr size_t kKeep = NAME_MAX - 5 - 12;  // ".tmp." + suffix
  return dir + "/" + base.substr(0, kKeep) + ".tmp." + suffix;
}

bool WriteAll(int fd, const void* data, size_t size, int* err) {
  const char* p = static_cast<const char*>(data);
  size_t done = 0;
  while (done < size) {
    const ssize_t w = ::write(fd, p + done, size - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return false;
    }
    done += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0) {
    *err = errno;
    return false;
  }
  return true;
}

struct Target {
  std::string path, dir, base;
  bool exists = false;
  mode_t mode = 0;  // of the existing file, kept
};

Status Fail(const Target& t, const std::string& what, int err) {
  return Status::Io("cannot write '" + t.path + "': " + what + ": " + Errno(err));
}

// Renames the named temporary `tmp` (registered in `slot`) over the output,
// or removes it.
Status Publish(const Target& t, const std::string& tmp, int slot) {
  SignalsBlocked blocked;
  int err = 0;
  if (::rename(tmp.c_str(), t.path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
  }
  ReleaseSlot(slot);
  return err ? Fail(t, "rename", err) : Status::Ok();
}

// The usual path: an unnamed file, named only to be renamed. *unsupported
// is set (and nothing written) when the filesystem or /proc lacks what it
// needs.
Status WriteUnnamed(const Target& t, const void* data, size_t size, bool* unsupported) {
  const int fd = ::open(t.dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int err = errno;
    if (err == EOPNOTSUPP || err == EISDIR || err == EINVAL) {
      *unsupported = true;
      return Status::Ok();
    }
    return Status::Io("cannot create a file in '" + t.dir + "' for '" + t.path + "': " + Errno(err));
  }
  int err = 0;
  if ((t.exists && ::fchmod(fd, t.mode) != 0) || !WriteAll(fd, data, size, &err)) {
    if (!err) err = errno;
    ::close(fd);
    return Fail(t, "write", err);
  }
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  std::string tmp;
  int slot = -1;
  {
    SignalsBlocked blocked;
    for (int attempt = 0; attempt < 16; ++attempt) {
      tmp = TempName(t.dir, t.base);
      slot = ClaimSlot(tmp);
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        MarkLive(slot);
        err = 0;
        break;
      }
      err = errno;
      ReleaseSlot(slot);
      slot = -1;
      if (err != EEXIST) break;
    }
  }
  ::close(fd);
  if (err == ENOENT) {  // no /proc: write again through a named temporary
    *unsupported = true;
    return Status::Ok();
  }
  if (err) return Fail(t, "link", err);
  return Publish(t, tmp, slot);
}

// The fallback: a registered named temporary.
Status WriteNamed(const Target& t, const void* data, size_t size) {
  std::string tmp;
  int fd = -1, slot = -1, err = 0;
  {
    SignalsBlocked blocked;
    for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
      tmp = TempName(t.dir, t.base);
      slot = ClaimSlot(tmp);
      fd = ::open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
      err = fd < 0 ? errno : 0;
      if (fd >= 0) {
        MarkLive(slot);
      } else {
        ReleaseSlot(slot);
        slot = -1;
        if (err != EEXIST) break;
      }
    }
  }
  if (fd < 0) return Status::Io("cannot create a file next to '" + t.path + "': " + Errno(err));
  if ((t.exists && ::fchmod(fd, t.mode) != 0) || !WriteAll(fd, data, size, &err)) {
    if (!err) err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    ReleaseSlot(slot);
    return Fail(t, "write", err);
  }
  if (::close(fd) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    ReleaseSlot(slot);
    return Fail(t, "close", err);
  }
  return Publish(t, tmp, slot);
}

}  // namespace

void RemovePendingTempFiles() {
  for (int i = 0; i < kSlots; ++i)
    if (g_slot_state[i].load() == 2) ::unlink(g_slot_path[i]);
}

Status WriteFileAtomic(const std::string& path, const void* data, size_t size) {
  if (path.empty()) return Status::Io("cannot write an output file with an empty name");
  Target t;
  t.path = path;
  const size_t slash = path.rfind('/');
  t.dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  t.base = slash == std::string::npos ? path : path.substr(slash + 1);
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Io("cannot write '" + path + "': it is a directory");
    if (!S_ISREG(st.st_mode)) {
      return Status::Io("cannot write '" + path +
                        "': it exists and is not a regular file (a device, FIFO or socket is never replaced)");
    }
    t.exists = true;
    t.mode = st.st_mode & 0777;
  }
  if (t.base.empty() || t.base == "." || t.base == "..") {
    return Status::Io("cannot write '" + path + "': it does not name a file");
  }
  bool unsupported = false;
  Status s = WriteUnnamed(t, data, size, &unsupported);
  if (!s.ok() || !unsupported) return s;
  return WriteNamed(t, data, size);
}

}  // namespace tconv
