/* softmax_row.h -- the softmax row kernels for one storage type TS (suffix SFX).
 *
 * Included by softmax.inc with TS = float, SFX = f32 and TS = double,
 * SFX = f64.  Each kernel works on one contiguous row (see fa_softmax.h).
 *
 * Forward (z = x, or z = -x for softmin), with m = max z (NaN skipped):
 *   e_i = exp(z_i - m) in double, S = sum e_i (compensated for float64), then
 *   softmax_i = e_i / S, log_softmax_i = (z_i - m) - log(S), logsumexp = m + log(S),
 *   log(S) = log1p((number of maxima - 1) + sum of the other e_i): exact for
 *   log_softmax([0, -1000]) and the like, where S = 1 + tiny.
 *   Rows whose max is +-inf go to the (cold) special path; NaN elsewhere
 *   spreads through S to the whole row by itself.
 */
#define SMH(f) FA_SM_CAT(fa_sm__, f, _, SFX, )
#define FA_SM_COMP (sizeof(TS) == 8) /* compensated sums for float64 rows */
#define SMK(op) FA_SM_CAT(fa_sm_, op, _, SFX, FA_SM_CAT(_, FA_ISA, , , ))

typedef TS SMH(v) __attribute__((vector_size(FA_SM_VB)));
typedef TI SMH(m) __attribute__((vector_size(FA_SM_VB))); /* comparison masks */

/* max of z = sign * x over the row, NaN skipped; -inf for an empty row.
   Exact, so the lanes need not match between levels or with the column
   kernels -- but for the sign of a zero maximum (0.0 and -0.0 compare equal,
   and which one a lane keeps depends on the order), which would show in
   log_softmax's -0.0 - (-0.0): a zero maximum is made +0.0. */
FA_INLINE double SMH(max)(ptrdiff_t n, const TS *x, TS sign)
{
    enum { VN = FA_SM_VB / sizeof(TS), NV = 4, W = NV * VN };
    if (n < W) { /* a short row */
        TS m = -(TS)INFINITY;
        for (ptrdiff_t i = 0; i < n; i++) {
            TS z = sign * x[i];
            m = z > m ? z : m;
        }
        return (double)m + 0.0;
    }
    const SMH(v) ninf = (SMH(v)){0} - (TS)INFINITY;
    SMH(v) acc[NV], z;
    for (int q = 0; q < NV; q++) acc[q] = ninf;
#define FA_SM_MAX(a, b) /* a = b > a ? b : a, lane by lane; false for NaN */  \
    do {                                                                      \
        SMH(m) gt = (b) > (a);                                                \
        (a) = (SMH(v))((gt & (SMH(m))(b)) | (~gt & (SMH(m))(a)));             \
    } while (0)
    /* whole blocks, the last one ending at n (it may overlap: max does not mind) */
    for (ptrdiff_t i = 0;; i += W) {
        if (i > n - W) i = n - W;
        for (int q = 0; q < NV; q++) {
            memcpy(&z, x + i + q * VN, sizeof z);
            z = sign * z;
            FA_SM_MAX(acc[q], z);
        }
        if (i == n - W) break;
    }
    for (int q = 1; q < NV; q++) FA_SM_MAX(acc[0], acc[q]);
#undef FA_SM_MAX
    TS lane[VN];
    memcpy(lane, &acc[0], sizeof z);
    for (int h = VN / 2; h >= 1; h /= 2) /* a tree, not a chain of VN */
        for (int j = 0; j < h; j++) lane[j] = lane[j + h] > lane[j] ? lane[j + h] : lane[j];
    return (double)lane[0] + 0.0; /* -0.0 + 0.0 = +0.0 */
}

/* e_i = exp(z_i - m) for a finite m.  For float64, z_i - m = d is rounded:
   its exact error lo (TwoSum) would cost up to |d| / 2 ULP if ignored, so
   exp(d + lo) it is.  A float32 row needs no correction (the error is below
   2^-53 |d|, far under a float32 ULP), nor fa_exp's full double precision. */
FA_INLINE double SMH(exp1)(TS x, TS sign, double m)
{
    if (sizeof(TS) == 8) {
        double z = (double)(sign * x), d = z - m, b = d - z;
        return fa_sm_exp_dd(d, (z - (d - b)) + (-m - b));
    }
    return fa_sm_exp_f32res((double)(sign * x) - m);
}

/* the terms that the kernels sum, t[i] for i < cnt: exp(z_i - m) (FA_SM_T_EXP,
   a = x), dy_i y_i (FA_SM_T_PROD, a = y, b = dy), dy_i or a NaN y_i
   (FA_SM_T_DY); the row and the column kernels both take them from here */
FA_INLINE void SMH(terms)(int what, ptrdiff_t cnt, const TS *restrict a, const TS *restrict b,
                          TS sign, double m, double *restrict t)
{
    if (what == FA_SM_T_EXP) {
        for (ptrdiff_t i = 0; i < cnt; i++) t[i] = SMH(exp1)(a[i], sign, m);
    } else if (what == FA_SM_T_PROD) {
        for (ptrdiff_t i = 0; i < cnt; i++) t[i] = (double)b[i] * (double)a[i];
    } else {
        for (ptrdiff_t i = 0; i < cnt; i++) t[i] = a[i] != a[i] ? (double)a[i] : (double)b[i];
    }
}

/* the sum of the terms over the row (fa_sm_acc's lanes and tree), formed
   FA_SM_BLK at a time (a loop gcc vectorizes; a block of FA_SM_W alone it
   unrolls into scalar code) and summed while in L1; kept in e[0..n) if e is
   not NULL */
FA_INLINE double SMH(rowsum)(int what, ptrdiff_t n, const TS *a, const TS *b, TS sign, double m,
                             double *e, int split, double *ones)
{
    fa_sm_acc acc;
    double blk[FA_SM_BLK];
    fa_sm_acc_init(&acc);
    for (ptrdiff_t i = 0; i < n; i += FA_SM_BLK) {
        double *t = e ? e + i : blk;
        ptrdiff_t cnt = n - i < FA_SM_BLK ? n - i : FA_SM_BLK;
        if (cnt == FA_SM_BLK) {
            SMH(terms)(what, FA_SM_BLK, a + i, b + i, sign, m, t);
        } else { /* the last block, padded with zeros (e has room) */
            SMH(terms)(what, cnt, a + i, b + i, sign, m, t);
            for (; cnt % FA_SM_W; cnt++) t[cnt] = 0.0;
        }
        for (ptrdiff_t j = 0; j < cnt; j += FA_SM_W) fa_sm_acc_add(&acc, t + j, FA_SM_COMP, split);
    }
    return fa_sm_acc_fold(&acc, FA_SM_COMP, split, ones);
}

/* rows whose max is +-inf (m; also all-NaN and empty rows, m = -inf):
   one +inf -> the limit (one-hot, or 0 there and -inf elsewhere),
   several +inf or all -inf -> NaN (logsumexp: +-inf), any NaN -> NaN */
static void SMH(special)(int what, ptrdiff_t n, const TS *x, TS sign, double m, TS *y)
{
    ptrdiff_t npinf = 0, at = 0;
    int nan = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        TS z = sign * x[i];
        nan |= z != z;
        if (z == INFINITY) npinf++, at = i;
    }
    if (what == FA_SM_LSE) {
        y[0] = nan ? (TS)NAN : (TS)m;
        return;
    }
    int limit = !nan && npinf == 1;
    TS rest = limit ? (what == FA_SM_PROB ? (TS)0 : (TS)-INFINITY) : (TS)NAN;
    for (ptrdiff_t i = 0; i < n; i++) y[i] = rest;
    if (limit) y[at] = what == FA_SM_PROB ? (TS)1 : (TS)0;
}

/* every kernel writes one NaN (the positive quiet one): which NaN of the row
   reaches a sum first, and whether softmin's -x flips its sign, depends on
   the order and the code, which differ between the row and column-tile paths */
FA_INLINE TS SMH(onenan)(TS r) { return r != r ? (TS)NAN : r; }

FA_INLINE void SMH(forward)(int what, ptrdiff_t n, const TS *x, TS sign, TS *y, double *e)
{
    double m = SMH(max)(n, x, sign);
    if (!(fa_abs(m) < INFINITY)) {
        SMH(special)(what, n, x, sign, m, y);
        return;
    }
    double ones, s = SMH(rowsum)(FA_SM_T_EXP, n, x, x, sign, m, what == FA_SM_PROB ? e : NULL, 1, &ones);
    if (what == FA_SM_PROB) {
        double S = ones + s;
        if (sizeof(TS) == 8) {
            for (ptrdiff_t i = 0; i < n; i++) y[i] = SMH(onenan)((TS)(e[i] / S));
        } else {
            double r = 1.0 / S;
            for (ptrdiff_t i = 0; i < n; i++) y[i] = SMH(onenan)((TS)(e[i] * r));
        }
        return;
    }
    double L = fa_log1p((ones - 1.0) + s);
    if (what == FA_SM_LSE) {
        y[0] = SMH(onenan)((TS)(m + L));
        return;
    }
    /* z_i - m <= 0 and -L <= 0: no cancellation */
    for (ptrdiff_t i = 0; i < n; i++) y[i] = SMH(onenan)((TS)(((double)(sign * x[i]) - m) - L));
}

#define FA_SM_FORWARD(op, what, sign)                                         \
    void SMK(op)(ptrdiff_t n, const char *a, const char *b, char *y, double *e) \
    {                                                                         \
        (void)b;                                                              \
        SMH(forward)(what, n, (const TS *)a, (TS)(sign), (TS *)y, e);         \
    }
FA_SM_FORWARD(softmax, FA_SM_PROB, 1)
FA_SM_FORWARD(log_softmax, FA_SM_LOGPROB, 1)
FA_SM_FORWARD(logsumexp, FA_SM_LSE, 1)
FA_SM_FORWARD(softmin, FA_SM_PROB, -1)
#undef FA_SM_FORWARD


/* softmax_backward(y, dy) = y * (dy - sum(dy * y)); y is the softmax output.
   A NaN in y or dy makes the sum, and so the row, NaN. */
void SMK(softmax_backward)(ptrdiff_t n, const char *a, const char *b, char *out, double *e)
{
    const TS *y = (const TS *)a, *dy = (const TS *)b;
    TS *o = (TS *)out;
    (void)e;
    double d = SMH(rowsum)(FA_SM_T_PROD, n, y, dy, 1, 0.0, NULL, 0, NULL);
    for (ptrdiff_t i = 0; i < n; i++) o[i] = SMH(onenan)((TS)((double)y[i] * ((double)dy[i] - d)));
}

/* exp(y) of log_softmax_backward: float64 rows take fa_exp; float32 rows a
   version with FMA (fa_sm_exp_f32acc) */
FA_INLINE double SMH(expy)(double y)
{
    return sizeof(TS) == 8 ? fa_exp(y) : fa_sm_exp_f32acc(y);
}

/* log_softmax_backward(y, dy) = dy - exp(y) * sum(dy); y is the log_softmax
   output.  A NaN in y is put into the sum so that it, too, spreads to the row. */
void SMK(log_softmax_backward)(ptrdiff_t n, const char *a, const char *b, char *out, double *e)
{
    const TS *y = (const TS *)a, *dy = (const TS *)b;
    TS *o = (TS *)out;
    (void)e;
    double s = SMH(rowsum)(FA_SM_T_DY, n, y, dy, 1, 0.0, NULL, 0, NULL);
    for (ptrdiff_t i = 0; i < n; i++) o[i] = SMH(onenan)((TS)((double)dy[i] - SMH(expy)((double)y[i]) * s));
}

/* ---- column tiles (see fa_softmax.h) ------------------------------------
   Each loop over j below is the row kernel's loop over i, for one element
   of each of the w rows: gcc vectorizes it across the rows. */
#define SMC(op) FA_SM_CAT(fa_smc_, op, _, SFX, FA_SM_CAT(_, FA_ISA, , , ))
#define TW FA_SMC_TW
#define SMC_ROW(base, stride, k) ((const TS *)((base) + (k) * (stride)))

/* m[j] = the maximum of row j as SMH(max) gives it; 0 if all are finite */
FA_INLINE int SMH(cmax)(const fa_smc_args *A, ptrdiff_t w, TS sign, double *restrict m)
{
    TS mt[TW];
    for (ptrdiff_t j = 0; j < w; j++) mt[j] = -(TS)INFINITY;
    for (ptrdiff_t k = 0; k < A->n; k++) {
        const TS *restrict x = SMC_ROW(A->a, A->sa, k);
        for (ptrdiff_t j = 0; j < w; j++) {
            TS z = sign * x[j];
            mt[j] = z > mt[j] ? z : mt[j];
        }
    }
    int bad = 0;
    for (ptrdiff_t j = 0; j < w; j++) {
        m[j] = (double)mt[j] + 0.0;
        bad |= !(fa_abs(m[j]) < INFINITY);
    }
    return bad;
}

/* SMH(terms)' exponentials, with row j's own maximum m[j] */
FA_INLINE void SMH(cexp)(ptrdiff_t w, const TS *restrict x, TS sign, const double *restrict m,
                         double *restrict e)
{
    for (ptrdiff_t j = 0; j < w; j++) e[j] = SMH(exp1)(x[j], sign, m[j]);
}

/* y = e * (1 / S) for float32, y = y / S in place for float64 (y holds e),
   as SMH(forward) */
FA_INLINE void SMH(cprob)(ptrdiff_t w, const double *restrict e, const double *restrict r,
                          TS *restrict y)
{
    for (ptrdiff_t j = 0; j < w; j++) y[j] = SMH(onenan)((TS)(e[j] * r[j]));
}
FA_INLINE void SMH(cdiv)(ptrdiff_t w, TS *restrict y, const double *restrict S)
{
    for (ptrdiff_t j = 0; j < w; j++) y[j] = SMH(onenan)((TS)((double)y[j] / S[j]));
}

/* the forward kernels on w rows (w = TW, a constant, for whole tiles) */
FA_INLINE int SMH(cforward)(int what, const fa_smc_args *A, TS sign, ptrdiff_t w)
{
    const ptrdiff_t n = A->n;
    double *m = A->ws, *v1 = m + TW, *v2 = v1 + TW, *tmp = v2 + TW;
    double *s = tmp + TW, *c = s + FA_SM_W * TW, *kk = c + FA_SM_W * TW;
    /* float64 softmax keeps e in y until it divides it by S (x is not read
       again: y may be x); float32 keeps it in A->e, or computes it twice */
    const int keep = what == FA_SM_PROB && (sizeof(TS) == 8 || A->e);
    double *E = sizeof(TS) == 4 && keep ? A->e : NULL;
    if (SMH(cmax)(A, w, sign, m)) return 1;
    fa_smc_zero(s, c, kk);
    for (ptrdiff_t k = 0; k < n; k++) {
        double *e = !keep ? tmp : sizeof(TS) == 8 ? (double *)(A->y + k * A->sy) : E + k * TW;
        SMH(cexp)(w, SMC_ROW(A->a, A->sa, k), sign, m, e);
        ptrdiff_t L = (k % FA_SM_W) * TW;
        fa_smc_acc(w, e, s + L, c + L, kk + L, FA_SM_COMP, 1);
    }
    fa_smc_fold(w, s, c, kk, FA_SM_COMP, v1, v2); /* v1 = sum, v2 = ones */
    if (what == FA_SM_PROB) {
        for (ptrdiff_t j = 0; j < w; j++) {
            double S = v2[j] + v1[j];
            v1[j] = sizeof(TS) == 8 ? S : 1.0 / S;
        }
        for (ptrdiff_t k = 0; k < n; k++) {
            TS *y = (TS *)(A->y + k * A->sy);
            if (sizeof(TS) == 8) {
                SMH(cdiv)(w, y, v1);
            } else {
                if (!keep) SMH(cexp)(w, SMC_ROW(A->a, A->sa, k), sign, m, tmp);
                SMH(cprob)(w, keep ? E + k * TW : tmp, v1, y);
            }
        }
        return 0;
    }
    for (ptrdiff_t j = 0; j < w; j++) v1[j] = fa_log1p((v2[j] - 1.0) + v1[j]); /* L */
    if (what == FA_SM_LSE) {
        for (ptrdiff_t j = 0; j < w; j++) *(TS *)(A->y + j * A->sy) = SMH(onenan)((TS)(m[j] + v1[j]));
        return 0;
    }
    for (ptrdiff_t k = 0; k < n; k++) {
        const TS *x = SMC_ROW(A->a, A->sa, k);
        TS *y = (TS *)(A->y + k * A->sy); /* may be x itself (in place) */
        for (ptrdiff_t j = 0; j < w; j++) y[j] = SMH(onenan)((TS)(((double)(sign * x[j]) - m[j]) - v1[j]));
    }
    return 0;
}

/* the lines of memory row k + 4 of a tile (4: measured best of 4, 8, 16):
   the backward kernels read two operands at once, where the hardware
   prefetchers fall behind (float64 along axis 0 of 3000 x 1000: -25%) */
#define SMC_PREFETCH(base, stride, k, w, n)                                   \
    do {                                                                      \
        if ((k) + 4 < (n))                                                    \
            for (ptrdiff_t o_ = 0; o_ < (w) * (ptrdiff_t)sizeof(TS); o_ += 64) \
                __builtin_prefetch((base) + ((k) + 4) * (stride) + o_);       \
    } while (0)

/* the backward kernels: what = 0 softmax_backward, 1 log_softmax_backward */
FA_INLINE int SMH(cbackward)(int what, const fa_smc_args *A, ptrdiff_t w)
{
    const ptrdiff_t n = A->n;
    double *v1 = A->ws + TW, *v2 = v1 + TW, *tmp = v2 + TW;
    double *s = tmp + TW, *c = s + FA_SM_W * TW, *kk = c + FA_SM_W * TW;
    fa_smc_zero(s, c, kk);
    for (ptrdiff_t k = 0; k < n; k++) {
        const TS *restrict y = SMC_ROW(A->a, A->sa, k), *restrict dy = SMC_ROW(A->b, A->sb, k);
        SMC_PREFETCH(A->a, A->sa, k, w, n);
        SMC_PREFETCH(A->b, A->sb, k, w, n);
        SMH(terms)(what == 0 ? FA_SM_T_PROD : FA_SM_T_DY, w, y, dy, 1, 0.0, tmp);
        ptrdiff_t L = (k % FA_SM_W) * TW;
        fa_smc_acc(w, tmp, s + L, c + L, kk + L, FA_SM_COMP, 0);
    }
    fa_smc_fold(w, s, c, kk, FA_SM_COMP, v1, v2);
    for (ptrdiff_t k = 0; k < n; k++) {
        const TS *y = SMC_ROW(A->a, A->sa, k), *dy = SMC_ROW(A->b, A->sb, k);
        TS *o = (TS *)(A->y + k * A->sy); /* may be y or dy (in place) */
        if (what == 0) {
            for (ptrdiff_t j = 0; j < w; j++) o[j] = SMH(onenan)((TS)((double)y[j] * ((double)dy[j] - v1[j])));
        } else {
            for (ptrdiff_t j = 0; j < w; j++)
                o[j] = SMH(onenan)((TS)((double)dy[j] - SMH(expy)((double)y[j]) * v1[j]));
        }
    }
    return 0;
}

/* whole tiles get their own copy of the code, with w = TW known */
#define FA_SMC_DEF(op, call)                                                  \
    int SMC(op)(const fa_smc_args *A)                                         \
    {                                                                         \
        if (A->w == TW) {                                                     \
            const ptrdiff_t w = TW;                                           \
            return call;                                                      \
        } else {                                                              \
            const ptrdiff_t w = A->w;                                         \
            return call;                                                      \
        }                                                                     \
    }
FA_SMC_DEF(softmax, SMH(cforward)(FA_SM_PROB, A, (TS)1, w))
FA_SMC_DEF(log_softmax, SMH(cforward)(FA_SM_LOGPROB, A, (TS)1, w))
FA_SMC_DEF(logsumexp, SMH(cforward)(FA_SM_LSE, A, (TS)1, w))
FA_SMC_DEF(softmin, SMH(cforward)(FA_SM_PROB, A, (TS)-1, w))
FA_SMC_DEF(softmax_backward, SMH(cbackward)(0, A, w))
FA_SMC_DEF(log_softmax_backward, SMH(cbackward)(1, A, w))
#undef FA_SMC_DEF
#undef SMC_ROW
#undef SMC_PREFETCH
#undef TW
#undef SMC

#undef SMH
#undef SMK
#undef FA_SM_COMP
