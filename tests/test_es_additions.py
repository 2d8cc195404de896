"""loss_by_degree (the U-curve's mechanism) and the Cauchy-Schwarz overlap floor of every student."""

import numpy as np
import pytest

import w2s_lib as L


@pytest.fixture(scope="module")
def teacher():
    return L.fit_teacher(L.sample_sphere(256, 32, 0))


def test_loss_by_degree_sums_to_the_student_loss(teacher):
    tau = np.logspace(-2, 12, 60)
    degrees, c = L.loss_by_degree(teacher, tau)
    assert c.shape == (degrees.size, tau.size)
    np.testing.assert_allclose(np.maximum(c.sum(0), 0), L.student_loss(teacher, tau), atol=1e-12)


def test_loss_by_degree_runs_from_target_to_teacher_error(teacher):
    degrees, c = L.loss_by_degree(teacher, np.array([0.0, 1e30]))
    H = teacher.harmonics
    assert c[1, 0] == pytest.approx(1.0) and np.allclose(np.delete(c[:, 0], 1), 0.0)
    # at infinite time each degree holds the teacher's error there; they add up to L_TE
    assert c[:, 1].sum() == pytest.approx(teacher.loss, rel=1e-9)
    assert c[2, 1] == pytest.approx(H.energies[2])
    # the signal (degree 1) is learned by tau ~ 5 while degree 2 barely started
    _, c5 = L.loss_by_degree(teacher, 5.0)
    assert c5[1] < 0.02 and c5[2] < 0.1 * H.energies[2]


def test_overlap_floor_equals_the_closed_form_floor_in_the_kernel_limit(teacher):
    tau = np.logspace(-2, 8, 50)
    k = L.student_trajectory(teacher)
    np.testing.assert_allclose(L.overlap_floor(k, tau), L.floor(tau, teacher.loss), rtol=1e-9, atol=1e-12)
    assert np.all(k.loss(tau) >= L.overlap_floor(k, tau) - 1e-12)


def test_every_finite_and_sample_student_stays_above_its_overlap_floor(teacher):
    tau = np.logspace(-2, 8, 80)
    W = L.sample_sphere(256, 32, 7)
    fs = L.student_trajectory(teacher, W)
    ss = L.train_on_samples(teacher, W, 300, 3)
    for traj in (fs, ss):
        assert np.all(traj.loss(tau) >= L.overlap_floor(traj, tau) - 1e-10)
    # sample student: overlap = h^T V^T b, consistent with the loss at t = infinity
    h_inf = ss.z_over_sigma
    assert ss.target_overlap(1e12) == pytest.approx(float(ss.vb @ h_inf), rel=1e-9)


def test_overlap_floor_rejects_non_trajectories():
    with pytest.raises(TypeError, match="trajectory"):
        L.overlap_floor(object(), 1.0)
