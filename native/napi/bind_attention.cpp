// Bindings for the attention family (being written).
#include "napi/register.h"

namespace mt::napi {
void register_attention(Napi::Env env, Napi::Object exports) {}
}  // namespace mt::napi
