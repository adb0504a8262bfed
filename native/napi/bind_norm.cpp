// Bindings for the norm family (being written).
#include "napi/register.h"

namespace mt::napi {
void register_norm(Napi::Env env, Napi::Object exports) {}
}  // namespace mt::napi
