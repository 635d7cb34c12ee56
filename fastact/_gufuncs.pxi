# The softmax family as generalized ufuncs (included by _ufuncs.pyx).
# Defines `gufuncs`: name -> np.ufunc with a core signature.
gufuncs = {}
