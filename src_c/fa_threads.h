/* fa_threads.h -- opt-in threads for the contiguous fast path of the ufunc loops.
 *
 * fastact.set_num_threads(n) sets fa_num_threads (default 1: no thread is
 * ever started).  With n > 1, a loop call over a contiguous array of at least
 * 2 * FA_MIN_PER_THREAD elements splits it into up to n chunks of at least
 * FA_MIN_PER_THREAD elements each, the chunk boundaries on 64-byte lines of the
 * output, and runs the kernel on every chunk at once: chunk 0 in the calling
 * thread, the others in threads created for this call and joined before it
 * returns (no pool, so nothing to shut down and nothing to break by fork()).
 * The kernels are elementwise, so the result does not depend on the split;
 * when threads are unavailable (not POSIX) or pthread_create fails, the
 * chunks simply run one after the other in the calling thread.
 */
#ifndef FA_THREADS_H
#define FA_THREADS_H
#include <stddef.h>
#include "fastact.h"

#define FA_MAX_THREADS 256
#ifndef FA_MIN_PER_THREAD
#define FA_MIN_PER_THREAD 131072 /* elements: starting and joining a thread costs 15-40 us */
#endif

int fa_threads_available(void);          /* 1 with pthreads, else 0 */
int fa_get_num_threads(void);
void fa_set_num_threads(int n);          /* clamped to [1, FA_MAX_THREADS] */
ptrdiff_t fa_get_min_per_thread(void);
void fa_set_min_per_thread(ptrdiff_t m); /* for the tests: small splits on small arrays */

/* k over n contiguous elements: args[0..nin-1] the operands (parameters
   stride 0 when pscalar, else contiguous like the data), args[nin] the
   output; es the element size.  Splits across threads when enabled and n is
   large enough; the FP status flags of the worker threads are discarded
   (the caller restores its own). */
void fa_run_contig(fa_kernel k, ptrdiff_t n, char **args, int nin, int nd, int pscalar, int es);

#endif
