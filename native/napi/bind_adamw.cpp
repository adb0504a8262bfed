// Bindings for the adamw family (being written).
#include "napi/register.h"

namespace mt::napi {
void register_adamw(Napi::Env env, Napi::Object exports) {}
}  // namespace mt::napi
