// Bindings for the swiglu family (being written).
#include "napi/register.h"

namespace mt::napi {
void register_swiglu(Napi::Env env, Napi::Object exports) {}
}  // namespace mt::napi
