// Bindings for the model family (being written).
#include "napi/register.h"

namespace mt::napi {
void register_model(Napi::Env env, Napi::Object exports) {}
}  // namespace mt::napi
