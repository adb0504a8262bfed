#include "core/parallel.h"

#ifdef MIDTRAIN_HAVE_OPENBLAS
extern "C" void openblas_set_num_threads(int);
#endif

namespace mt {

void set_num_threads(int n) {
  if (n < 1) n = 1;
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
#ifdef MIDTRAIN_HAVE_OPENBLAS
  openblas_set_num_threads(n);
#endif
}

int num_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace mt
