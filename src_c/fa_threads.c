/* fa_threads.c -- the contiguous fast path, split across threads (fa_threads.h). */
#include <stdint.h>
#include "fa_threads.h"
#include "fa_fpstatus.h"

#if defined(__unix__) || defined(__APPLE__)
#define FA_PTHREADS 1
#include <pthread.h>
#include <signal.h>
#else
#define FA_PTHREADS 0
#endif

/* set from Python (under the GIL) while other threads may be inside a loop:
   relaxed atomics, a loop call sees the old or the new value */
static int fa_num_threads = 1;
static ptrdiff_t fa_min_per_thread = FA_MIN_PER_THREAD;
#if defined(__GNUC__)
#define FA_LOAD(v) __atomic_load_n(&(v), __ATOMIC_RELAXED)
#define FA_STORE(v, x) __atomic_store_n(&(v), (x), __ATOMIC_RELAXED)
#else
#define FA_LOAD(v) (v)
#define FA_STORE(v, x) ((v) = (x))
#endif

int fa_threads_available(void) { return FA_PTHREADS; }
int fa_get_num_threads(void) { return FA_LOAD(fa_num_threads); }
ptrdiff_t fa_get_min_per_thread(void) { return FA_LOAD(fa_min_per_thread); }

void fa_set_num_threads(int n)
{
    FA_STORE(fa_num_threads, n < 1 ? 1 : n > FA_MAX_THREADS ? FA_MAX_THREADS : n);
}

void fa_set_min_per_thread(ptrdiff_t m)
{
    FA_STORE(fa_min_per_thread, m < 1 ? (ptrdiff_t)1 : m);
}

typedef struct {
    fa_kernel k;
    ptrdiff_t n;
    char *in[FA_MAXIN];
    char *out;
    int pscalar;
} fa_chunk;

static void *fa_worker(void *p)
{
    const fa_chunk *c = (const fa_chunk *)p;
    fa_fpstate fp = fa_fp_save(); /* a new thread starts with its creator's FP environment */
    c->k(c->n, c->in, c->out, c->pscalar);
    fa_fp_restore(fp);            /* and its transient flags die with it: clear them anyway */
    return NULL;
}

void fa_run_contig(fa_kernel k, ptrdiff_t n, char **args, int nin, int nd, int pscalar, int es)
{
    int t = fa_get_num_threads();
    if (t > 1) {
        ptrdiff_t cap = n / fa_get_min_per_thread();
        if (cap < t) t = (int)cap;
    }
    if (t <= 1 || !FA_PTHREADS) { /* (without threads, one call is the same as t chunks) */
        k(n, args, args[nin], pscalar);
        return;
    }
    /* chunk boundaries on 64-byte lines of the output: two threads never write
       to one cache line.  `shift` elements to the first line boundary (none if
       the output is not even element-aligned); then whole lines of `line`. */
    const ptrdiff_t line = 64 / es;
    const uintptr_t o = (uintptr_t)args[nin];
    const ptrdiff_t shift = o % (uintptr_t)es ? 0 : (ptrdiff_t)(((64 - (o & 63)) & 63) / (uintptr_t)es);
    fa_chunk c[FA_MAX_THREADS];
    ptrdiff_t start = 0;
    for (int i = 0; i < t; i++) {
        ptrdiff_t end = n;
        if (i < t - 1) {
            end = n / t * (i + 1) + n % t * (i + 1) / t;
            end = end > shift ? shift + (end - shift) / line * line : start;
            if (end < start) end = start;
            if (end > n) end = n;
        }
        c[i].k = k;
        c[i].n = end - start;
        c[i].pscalar = pscalar;
        for (int j = 0; j < nin; j++)
            c[i].in[j] = (j >= nd && pscalar) ? args[j] : args[j] + start * es;
        c[i].out = args[nin] + start * es;
        start = end;
    }
#if FA_PTHREADS
    pthread_t tid[FA_MAX_THREADS];
    char started[FA_MAX_THREADS];
    /* the workers block every signal (they inherit the mask at creation):
       signals stay with the threads that Python runs */
    sigset_t all, old;
    sigfillset(&all);
    const int masked = pthread_sigmask(SIG_SETMASK, &all, &old) == 0;
    for (int i = 1; i < t; i++)
        started[i] = c[i].n > 0 && pthread_create(&tid[i], NULL, fa_worker, &c[i]) == 0;
    if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
    k(c[0].n, c[0].in, c[0].out, pscalar);
    for (int i = 1; i < t; i++) /* a thread that could not be created: its chunk here */
        if (!started[i] && c[i].n > 0) k(c[i].n, c[i].in, c[i].out, pscalar);
    for (int i = 1; i < t; i++)
        if (started[i]) pthread_join(tid[i], NULL);
#endif
}
