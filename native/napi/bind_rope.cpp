// Bindings for the rope family (being written).
#include "napi/register.h"

namespace mt::napi {
void register_rope(Napi::Env env, Napi::Object exports) {}
}  // namespace mt::napi
