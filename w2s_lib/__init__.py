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
    input_models      sphere vs Gaussian inputs (equivalent up to time x d)

Subspace weak-to-strong (Dong et al., 2025)
    subspace          exact ridgeless risks, Monte Carlo simulation, sweeps
    real_data         intrinsic dimension and d_sw on scikit-learn's digits
"""

__version__ = "0.1.0"

# --- random-feature part (issue 3) ---------------------------------------
from .random_features import (  # noqa: E402
    TARGETS,
    arccos_J,
    population_gram,
    relu_features,
    sample_sphere,
    target_correlation,
    target_profile,
    target_values,
)
from .harmonics import (  # noqa: E402
    HarmonicEnergies,
    gegenbauer,
    harmonic_energies,
    harmonic_multiplicity,
    kernel_eigenvalues,
    multiplicities,
    relu_degree_energy,
    relu_gegenbauer_coefficients,
)
from .teacher import Teacher, fit_teacher, least_squares_loss  # noqa: E402
from .student import (  # noqa: E402
    FiniteStudent,
    KernelStudent,
    gradient_descent_student,
    lambda_1,
    student_loss,
    student_trajectory,
    tau_to_time,
)
from .finite_data import SampleStudent, train_on_samples  # noqa: E402
from .early_stopping import (  # noqa: E402
    StoppingResult,
    degree_learning_times,
    early_stop,
    loss_curve,
    loss_by_degree,
    optimal_stopping,
    holdout_stopping,
)
from .input_models import gaussian_equivalence  # noqa: E402
from .limits import SweepResult, fit_exponent, floor, overlap_floor, pgr, teacher_size_sweep  # noqa: E402

# --- subspace part (issue 4) ------------------------------------------------
# (exports added by the subspace modules)
from .subspace import (  # noqa: E402
    RISK_KEYS,
    classify_regime,
    correlation_dimension,
    make_theta,
    principal_cosines,
    random_subspaces,
    ratio_of_means_se,
    regime_from_risks,
    simulate_subspace,
    simulate_subspace_general,
    subspace_risks,
    subspace_risks_from_energies,
    subspace_risks_general,
    subspaces_with_principal_cosines,
    sweep_subspace,
    theta_energies,
)
from .real_data import (  # noqa: E402
    digits_feature_maps,
    digits_kpca_basis,
    digits_overlap_sweep,
    digits_target,
    digits_w2s,
    estimate_noise_variance,
    intrinsic_dimension,
    measured_correlation_dimension,
    spectrum_intrinsic_dimension,
)
