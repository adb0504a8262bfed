// Thread control. Kernels parallelise with OpenMP static schedules so that
// results are bit-identical from run to run with the same thread count.
#pragma once
#ifdef _OPENMP
#include <omp.h>
#endif

namespace mt {

void set_num_threads(int n);  // also sets the BLAS library's threads
int num_threads();

inline int thread_id() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

// Threads in the current parallel region (1 outside one).
inline int team_size() {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}

}  // namespace mt
