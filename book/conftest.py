"""pytest settings for running the chapter notebooks with nbval.

`python -m pytest` runs two notebooks at a time, one per core. Each kernel's linear
algebra library (OpenBLAS) would start a thread per core as well, four busy threads on two
cores, which makes the small matrix products of the chapters several times slower. One
BLAS thread per kernel avoids that; the kernels inherit this environment when they start.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
