"""Sphere inputs and Gaussian inputs: the same model up to a time rescaling by ``d``.

The book draws inputs uniformly on the unit sphere, ``x ~ Unif(S^{d-1})``, uses ReLU
features without bias, ``phi_w(x) = relu(w . x)``, and the linear target
``f*(x) = sqrt(d) beta . x``.  Many papers use Gaussian inputs ``g ~ N(0, I_d)`` with the
target ``beta . g`` instead.  Write ``g = sqrt(d) rho x`` with ``x = g / |g|`` uniform on
the sphere and ``rho = |g| / sqrt(d)`` independent of it (``E rho^2 = 1``).  ReLU without
bias and the linear target are positively 1-homogeneous, so

    phi_w(g) = sqrt(d) rho phi_w(x),     beta . g = rho f*(x),

hence the Gaussian Gram is ``d G``, the target correlations are ``sqrt(d) b``, the loss of
output weights ``a`` under Gaussian inputs equals the sphere loss of ``sqrt(d) a``, and
gradient flow ``da/dt = -(G_gauss a - b_gauss)`` at time ``t`` is the sphere flow at time
``d t`` (every normalised loss curve is the same, on a clock ``d`` times faster).

The equivalence needs the 1-homogeneity: it fails with a bias term, with a target of
another degree of homogeneity (e.g. a Hermite/Gegenbauer degree-2 target), and for a finite
sample, where the random radii ``rho_i`` act as random per-sample weights.
"""

from __future__ import annotations

import numpy as np

from ._blas import small_blas_call
from ._validation import check_array, check_int, check_times
from .random_features import default_beta, population_gram, relu_features, target_correlation

__all__ = ["gaussian_equivalence"]


def _flow_coef(G, b, t):
    """Gradient-flow weights ``u(t) = (I - e^{-G t}) G^+ b`` from zero, shape (len(t), M)."""
    s, Q = np.linalg.eigh(G)
    keep = s > 1e-12 * s.max()
    s, Q = s[keep], Q[:, keep]
    proj = Q.T @ b / s
    g = -np.expm1(-np.outer(t, s))
    return (g * proj) @ Q.T


@small_blas_call(lambda *a, **k: len(k.get("W", a[0] if a else ())))  # (M, M) Grams: one BLAS thread
def gaussian_equivalence(W, times, n_samples=200_000, seed=0):
    """Check the sphere/Gaussian equivalence by Monte Carlo with Gaussian inputs.

    Gradient flow on the target from zero output weights, for the features ``W``: once
    with Gaussian inputs ``g ~ N(0, I_d)`` and target ``beta . g`` (Gram and correlations
    estimated from ``n_samples`` draws, loss measured on ``n_samples`` fresh draws), once in
    the book's sphere model in closed form (:func:`population_gram`,
    :func:`target_correlation`) at the rescaled times ``d t``.

    Parameters
    ----------
    W : array_like, shape (M, d)
        Unit feature weights, ``d >= 2``.
    times : array_like, shape (n_t,)
        Gaussian-model times ``t >= 0``.
    n_samples : int
        Monte Carlo draws, ``>= 1000``.
    seed : int
        Seed of the Gaussian draws (``>= 0``).

    Returns
    -------
    dict
        ``gram_scale``: least-squares factor ``c`` in ``G_gauss ~ c G`` (theory: ``d``);
        ``corr_scale``: the same for ``b_gauss ~ c b`` (theory: ``sqrt(d)``);
        ``loss_gauss``, ``loss_gauss_se``: shape (n_t,), Monte Carlo loss (normalised by the
        target's energy, which is 1) and its standard error;
        ``loss_sphere``: shape (n_t,), closed-form sphere loss at times ``d t``;
        ``loss_sphere_unscaled``: shape (n_t,), the sphere loss at the *same* times ``t``
        (what one gets without the rescaling); ``d``.
    """
    W = check_array(W, "W", ndim=2)
    M, d = W.shape
    if d < 2:
        raise ValueError(f"W must have d >= 2 columns, got {d}")
    times = check_times(times, "times").reshape(-1)
    n = check_int(n_samples, "n_samples", low=1000)
    seed = check_int(seed, "seed", low=0)
    rng = np.random.default_rng([seed, 7])
    beta = default_beta(d)

    G_s, b_s = population_gram(W), target_correlation(W)
    g_fit = rng.standard_normal((n, d))     # inputs that estimate the Gram and correlations
    X = rng.standard_normal((n, d))         # fresh inputs that measure the loss
    Phi = relu_features(g_fit, W)
    G_g = Phi.T @ Phi / n
    b_g = Phi.T @ (g_fit @ beta) / n
    gram_scale = float(np.sum(G_g * G_s) / np.sum(G_s * G_s))
    corr_scale = float(b_g @ b_s / (b_s @ b_s))

    U_g = _flow_coef(G_g, b_g, times)                   # Gaussian flow, estimated Gram
    err = relu_features(X, W) @ U_g.T - (X @ beta)[:, None]  # fresh inputs, shape (n, n_t)
    sq = err**2
    loss_g = sq.mean(axis=0)
    se = sq.std(axis=0, ddof=1) / np.sqrt(n)

    def sphere_loss(t):
        U = _flow_coef(G_s, b_s, t)
        return 1.0 - 2.0 * U @ b_s + np.einsum("ti,ij,tj->t", U, G_s, U)

    return dict(d=d, gram_scale=gram_scale, corr_scale=corr_scale, loss_gauss=loss_g,
                loss_gauss_se=se, loss_sphere=sphere_loss(d * times),
                loss_sphere_unscaled=sphere_loss(times))
