"""w2s_lib: the numerical kernel of the weak-to-strong generalization textbook.

Every number the book shows is computed here.  Each concept lives in the
module named after it:

Random-feature weak-to-strong (Medvedev et al., 2025)
    random_features   sampling the sphere, ReLU features, the population Gram
    teacher           population least squares on the weak teacher's features
    harmonics         Gegenbauer / spherical-harmonic spectrum of the ReLU kernel
    student           gradient flow on teacher labels (finite width, kernel limit)
    finite_data       a student trained on N teacher-labelled samples
    early_stopping    optimal stopping time, per-degree learning times
    limits            the quadratic floor, PGR, the fitted exponent

Subspace weak-to-strong (Dong et al., 2025)
    subspace          exact ridgeless risks, Monte Carlo simulation, sweeps
    real_data         intrinsic dimension and d_sw on scikit-learn's digits
"""

__version__ = "0.1.0"

# --- random-feature part (issue 3) ---------------------------------------
# (exports added by the random-feature modules)

# --- subspace part (issue 4) ------------------------------------------------
# (exports added by the subspace modules)
