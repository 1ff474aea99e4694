// Status: how every tconv entry point reports failure.
//
// User input never aborts the process. A function that can fail returns a
// Status whose message names the parameter, the value and the rule, e.g.
// "stride[1] must be >= 1 (got 0)". The CLI prints it as
// "tconv: error: <message>" and exits with status 2.
#ifndef TCONV_STATUS_H_
#define TCONV_STATUS_H_

#include <string>
#include <utility>

namespace tconv {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // a shape, attribute or file content breaks a rule
  kUnsupported,      // valid, but the requested algorithm cannot run it
  kOutOfMemory,      // an allocation failed or a size overflowed
  kIoError,          // a file could not be opened, read or written
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Invalid(std::string m) {
    return Status(StatusCode::kInvalidArgument, std::move(m));
  }
  static Status Unsupported(std::string m) {
    return Status(StatusCode::kUnsupported, std::move(m));
  }
  static Status OutOfMemory(std::string m) {
    return Status(StatusCode::kOutOfMemory, std::move(m));
  }
  static Status Io(std::string m) {
    return Status(StatusCode::kIoError, std::move(m));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Returns early from the enclosing function when `expr` is not ok.
#define TCONV_RETURN_IF_ERROR(expr)        \
  do {                                     \
    ::tconv::Status _st = (expr);          \
    if (!_st.ok()) return _st;             \
  } while (0)

}  // namespace tconv

#endif  // TCONV_STATUS_H_
