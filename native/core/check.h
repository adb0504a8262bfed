// Argument and invariant checks. Every failure is a C++ exception that the
// N-API layer turns into a JS Error with this message: never an abort.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace mt {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename... Args>
[[noreturn]] inline void fail(Args&&... args) {
  std::ostringstream os;
  (os << ... << args);
  throw Error(os.str());
}

}  // namespace mt

#define MT_CHECK(cond, ...)                 \
  do {                                      \
    if (!(cond)) ::mt::fail(__VA_ARGS__);   \
  } while (0)
