// Bindings for the xent family (being written).
#include "napi/register.h"

namespace mt::napi {
void register_xent(Napi::Env env, Napi::Object exports) {}
}  // namespace mt::napi
