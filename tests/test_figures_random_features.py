"""Static figures of chapters 1-3 (w2s_lib.figures_random_features) and the helpers they draw.

Every callback runs over its whole slider sweep and draws finite data; the drawn curves are
the library's numbers; the checks the chapters show (Monte Carlo, spectrum, gradient descent)
hold.  No wall-clock assertions.
"""

import numpy as np
import pytest
from matplotlib.figure import Figure

import w2s_lib.figures_random_features as F
from w2s_lib import harmonic_multiplicity, kernel_eigenvalues, student_trajectory

# --- chapter 1 ---------------------------------------------------------------

def test_kernel_gap_shrinks_like_inverse_square_root():
    small = np.mean([F.kernel_gap(8, 16, s) for s in range(4)])
    large = np.mean([F.kernel_gap(8, 4096, s) for s in range(4)])
    assert 6 < small / large < 30  # sqrt(4096/16) = 16


def test_monte_carlo_matches_closed_forms():
    fig = Figure()
    a1, a2 = fig.subplots(1, 2)
    z = F.draw_monte_carlo_checks(a1, a2, d=8, n_samples=20000, seed=1)
    assert z["z_gram"] < 4.5 and z["z_corr"] < 4.5


def test_gram_spectrum_matches_harmonic_eigenvalues():
    d, M = 8, 512
    sim, theory = F.gram_spectrum_check(d, M)
    lam = kernel_eigenvalues(d, 2)
    # top eigenvalue: the constant mode lambda_0; next d: degree 1
    assert sim[0] == pytest.approx(lam[0], rel=0.1)
    np.testing.assert_allclose(np.median(sim[1:1 + d]), lam[1], rtol=0.1)
    assert theory[0] == lam[0] and np.all(theory[1:1 + d] == lam[1])
    assert np.all(np.diff(theory) <= 0)


def test_low_degree_count():
    for d in (4, 8, 16, 32):
        assert F.low_degree_count(d, 2) == 1 + d + harmonic_multiplicity(d, 2) == 1 + d + (d + 2) * (d - 1) // 2
    assert F.low_degree_count(16, 1) == 17


@pytest.mark.parametrize("call, name", [
    (lambda: F.low_degree_count(1, 2), "d"),
    (lambda: F.low_degree_count(16, -1), "max_degree"),
    (lambda: F.student_stopping(1, 8, 8), "d"),
    (lambda: F.student_stopping(16, 8, -1), "M_ST"),
])
def test_moved_helpers_refuse_out_of_range_arguments_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        call()


# --- chapter 2 ---------------------------------------------------------------

@pytest.mark.parametrize("d,m", [(8, 4), (8, 64), (16, 128), (16, 512)])
def test_teacher_error_by_degree_sums_to_teacher_loss(d, m):
    T = F.cached_teacher(d, m, 0)
    k, err, tail = F.teacher_error_by_degree(T)
    assert np.all(err >= 0) and tail >= 0
    assert err.sum() + tail == pytest.approx(T.loss, rel=2e-3)
    assert np.all(err[3::2] <= 1e-12 * max(T.loss, 1e-300) + 1e-15)  # odd degrees >= 3 carry nothing
    sh = F.teacher_error_split(T)
    assert sh.sum() == pytest.approx(1.0)
    k12, err12, tail12 = F.teacher_error_by_degree(T, max_degree=12)  # what the bar chart draws
    assert k12[-1] == 12
    n = min(err.size, 13)
    np.testing.assert_allclose(err12[:n], err[:n], rtol=1e-6, atol=1e-15)
    assert err12.sum() + tail12 == pytest.approx(T.loss, rel=2e-3)


def test_error_moves_up_in_degree_as_the_teacher_grows():
    d = 16
    narrow = F.teacher_error_split(F.cached_teacher(d, 8, 0))
    middle = F.teacher_error_split(F.cached_teacher(d, 64, 0))
    wide = F.teacher_error_split(F.cached_teacher(d, 512, 0))
    assert narrow[1] > 0.5  # below d: the signal itself is missed
    assert middle[2] > 0.5  # between d and the degree-2 count: degree 2 dominates
    assert wide[3] > 0.9  # past the degree-2 count: degrees >= 4


def test_teacher_loss_falls_with_width():
    from w2s_lib.teacher import teacher_grid

    L = teacher_grid(16, F.CH02_M, F.CH02_SEEDS)
    np.testing.assert_allclose(L[:, 2], F.teacher_losses(16, F.CH02_M, (2,))[:, 0])
    gm = np.exp(np.log(L).mean(1))
    assert np.all(np.diff(gm) < 0)


# --- chapter 3 ---------------------------------------------------------------

def test_student_width_reads_the_kernel_limit_and_refuses_negative_widths():
    from w2s_lib.student import student_width

    assert student_width(0) is None and student_width(None) is None and student_width("inf") is None
    assert student_width(64) == 64
    with pytest.raises((ValueError, TypeError)):
        student_width(-3)


def test_kernel_student_beats_teacher_and_finite_students_approach_it():
    for m_te in F.CH03_MTE[1:]:
        best = F.student_stopping(32, m_te, 0)
        assert best.loss_star < best.teacher_loss
    ratios = [F.student_stopping(32, 256, m).ratio for m in (64, 256, 1024, 0)]
    assert all(a > b for a, b in zip(ratios, ratios[1:]))


def test_closed_form_matches_gradient_descent():
    t, gd, exact = F.gd_check(32, 256, 256)
    assert t.size >= 5
    np.testing.assert_allclose(gd, exact, rtol=0.02)
    fig = Figure()
    ax = fig.subplots()
    assert F.draw_gd_check(ax, 32, 256, 256) < 0.02


def test_geometric_mean_over_seeds_is_between_min_and_max_and_drives_local_slopes():
    from w2s_lib.figures_random_features import geometric_mean_over_seeds, teacher_local_slopes, teacher_losses

    m = [4, 16, 64]
    L = teacher_losses(8, m, (0, 1, 2))
    gm = geometric_mean_over_seeds(L)
    assert np.all(L.min(1) <= gm + 1e-15) and np.all(gm <= L.max(1) + 1e-15)
    np.testing.assert_allclose(geometric_mean_over_seeds([[2.0, 8.0]]), [4.0])
    _, slopes = teacher_local_slopes(8, m, (0, 1, 2))
    np.testing.assert_allclose(slopes, np.diff(np.log(gm)) / np.diff(np.log(m)))
