/* activations_f32.h -- float32 kernels with an algorithm of their own.
 *
 * Most float32 kernels are activations.h instantiated for float (_f) or for
 * double (_h).  Where neither is both fast and accurate enough, the float32
 * algorithm is written here (T = float, S(f) = f##_s, M(f) = f##f) and the
 * table's f32 field says "float32".  The same rules as activations.h:
 * selects, not branches; NaN in -> NaN out; PyTorch's values at kinks.
 */
