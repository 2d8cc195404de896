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

One mechanism (chapter 9)
    synthesis         both students as filters of the teacher: gain, misfit, the per-degree floor
"""

__version__ = "0.1.0"

# Names are imported on first use (PEP 562), so ``import w2s_lib`` or a chapter that needs only
# the subspace part does not pay for SciPy's optimisers, the harmonic tables, etc.; what a name
# resolves to is exactly the function of the module listed here.
import importlib as _importlib

_EXPORTS = {
    "random_features": (
        "TARGETS",
        "arccos_J",
        "population_gram",
        "relu_features",
        "sample_sphere",
        "target_correlation",
        "target_profile",
        "target_values",
    ),
    "harmonics": (
        "HarmonicEnergies",
        "gegenbauer",
        "harmonic_energies",
        "harmonic_multiplicity",
        "kernel_eigenvalues",
        "multiplicities",
        "relu_degree_energy",
        "relu_gegenbauer_coefficients",
    ),
    "teacher": (
        "Teacher",
        "fit_teacher",
        "least_squares_loss",
    ),
    "student": (
        "FiniteStudent",
        "KernelStudent",
        "gradient_descent_student",
        "lambda_1",
        "student_loss",
        "student_trajectory",
        "tau_to_time",
    ),
    "finite_data": (
        "SampleStudent",
        "train_on_samples",
    ),
    "early_stopping": (
        "StoppingResult",
        "degree_learning_times",
        "early_stop",
        "loss_curve",
        "loss_by_degree",
        "optimal_stopping",
        "holdout_stopping",
    ),
    "input_models": (
        "gaussian_equivalence",
    ),
    "limits": (
        "SweepResult",
        "fit_exponent",
        "floor",
        "overlap_floor",
        "pgr",
        "teacher_size_sweep",
    ),
    "subspace": (
        "RISK_KEYS",
        "classify_regime",
        "correlation_dimension",
        "make_theta",
        "principal_cosines",
        "random_subspaces",
        "ratio_of_means_se",
        "regime_from_risks",
        "simulate_subspace",
        "simulate_subspace_general",
        "subspace_risks",
        "subspace_risks_from_energies",
        "subspace_risks_general",
        "subspaces_with_principal_cosines",
        "sweep_subspace",
        "theta_energies",
    ),
    "real_data": (
        "digits_feature_maps",
        "digits_kpca_basis",
        "digits_overlap_sweep",
        "digits_target",
        "digits_w2s",
        "estimate_noise_variance",
        "intrinsic_dimension",
        "measured_correlation_dimension",
        "spectrum_intrinsic_dimension",
    ),
    "synthesis": (
        "DegreeProfile",
        "ball_projection_filter",
        "bias_placement",
        "book_profile",
        "degree_profile",
        "early_stopping_filter",
        "filter_risks",
        "fixed_teacher_mc",
        "fixed_teacher_risks",
        "gain_misfit_curve",
        "per_degree_floor",
        "student_error_by_degree",
        "subspace_gain_misfit",
        "subspace_gain_misfit_mc",
    ),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        try:  # a submodule: ``w2s_lib.subspace``
            return _importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # next time: a plain module attribute
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
