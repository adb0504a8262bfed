// Bindings for the embedding family (being written).
#include "napi/register.h"

namespace mt::napi {
void register_embedding(Napi::Env env, Napi::Object exports) {}
}  // namespace mt::napi
