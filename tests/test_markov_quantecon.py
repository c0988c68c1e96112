"""Cross-check of the Markov-chain algebra against QuantEcon's MarkovChain (an independent implementation)."""
import numpy as np
import pytest

import quantecon as qe  # noqa: E402  (requirements-dev.txt)

from sim.markov import mean_first_passage_times, paper_transition_matrices, steady_states  # noqa: E402


def _irreducible(seed: int, k: int = 4) -> np.ndarray:
    P = np.random.default_rng(seed).random((k, k)) + 0.05
    return P / P.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(5))
def test_steady_state_equals_quantecon_on_irreducible_chains(seed):
    P = _irreducible(seed)
    (pi_qe,) = qe.MarkovChain(P).stationary_distributions
    np.testing.assert_allclose(steady_states(P), pi_qe, atol=1e-12)


def test_steady_state_of_the_papers_table4_is_the_absorbing_top_class():
    P = paper_transition_matrices().P_traditional
    P = P / P.sum(axis=1, keepdims=True)  # printed to 4 decimals
    (pi_qe,) = qe.MarkovChain(P).stationary_distributions
    np.testing.assert_allclose(steady_states(P), pi_qe, atol=1e-10)
    np.testing.assert_allclose(pi_qe, [0, 0, 0, 1], atol=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_mean_first_passage_times_satisfy_the_first_step_equations(seed):
    """m_ij = 1 + sum_{k != j} P_ik m_kj for i != j, and m_jj = 1 / pi_j (Kemeny-Snell), with pi from QuantEcon."""
    P = _irreducible(seed)
    M = mean_first_passage_times(P)
    (pi,) = qe.MarkovChain(P).stationary_distributions
    k = P.shape[0]
    for j in range(k):
        for i in range(k):
            if i == j:
                continue
            expected = 1 + sum(P[i, m] * M[m, j] for m in range(k) if m != j)
            assert M[i, j] == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(np.diag(M), 1 / pi, rtol=1e-10)  # recurrence times on the diagonal


# --- quantecon's own ill-conditioned test chain (quantecon/markov/tests/test_core.py) ---------------

from fractions import Fraction  # noqa: E402

from quantecon.markov.tests.test_core import KMR_Markov_matrix_sequential  # noqa: E402


def _exact_birth_death_stationary(P) -> list:
    """Exact pi of a birth-death (tridiagonal) chain from detailed balance, in rationals.

    pi_{n+1} / pi_n = P[n, n+1] / P[n+1, n]; the float entries are converted to Fractions exactly,
    so this is the exact stationary distribution of the very matrix given to the code under test.
    """
    w = [Fraction(1)]
    for n in range(P.shape[0] - 1):
        w.append(w[-1] * Fraction(P[n, n + 1]) / Fraction(P[n + 1, n]))
    total = sum(w)
    return [x / total for x in w]


def _exact_first_passage(P) -> np.ndarray:
    """Exact mean first-passage times in rationals (Gauss-Jordan on (I - Q) m = 1 for every target).

    The diagonal is taken as 1 - sum of the off-diagonal entries, exactly (the float diagonal
    1 - a - b is off by an ulp, which at passage times of 1e12 steps is visible).
    """
    k = P.shape[0]
    F = [[Fraction(P[i, j]) for j in range(k)] for i in range(k)]
    for i in range(k):
        F[i][i] = 1 - sum(F[i][j] for j in range(k) if j != i)
    M = np.zeros((k, k))
    for j in range(k):
        o = [i for i in range(k) if i != j]
        A = [[(1 if a == b else 0) - F[a][b] for b in o] + [Fraction(1)] for a in o]
        n = len(o)
        for c in range(n):
            piv = next(r for r in range(c, n) if A[r][c] != 0)
            A[c], A[piv] = A[piv], A[c]
            for r in range(n):
                if r != c and A[r][c] != 0:
                    f = A[r][c] / A[c][c]
                    A[r] = [x - f * y for x, y in zip(A[r], A[c])]
        m = {a: A[r][n] / A[r][r] for r, a in enumerate(o)}
        for a in o:
            M[a, j] = float(m[a])
        M[j, j] = float(1 + sum(F[j][a] * m[a] for a in o))
    return M


def test_steady_state_reproduces_quantecon_on_its_KMR_chain():
    """quantecon's KMR test (N = 27, p = 1/3, epsilon = 0.01): condition number ~8e15.

    Least squares returned pi_0 = 0.437; the exact value (detailed balance) is ~1.8e-21.
    """
    P = KMR_Markov_matrix_sequential(27, 1 / 3, 1e-2)
    (pi_qe,) = qe.MarkovChain(P).stationary_distributions
    pi = steady_states(P)
    large = pi_qe > 1e-6
    assert large.sum() >= 3 and (~large).sum() >= 20
    np.testing.assert_allclose(pi[large], pi_qe[large], rtol=1e-12)
    np.testing.assert_allclose(pi[~large], pi_qe[~large], rtol=0, atol=1e-12)
    # stronger, against the exact rational solution: every entry, tiny ones included, to 1e-12 relative
    exact = np.array([float(x) for x in _exact_birth_death_stationary(P)])
    assert exact[0] == pytest.approx(1.8e-21, rel=0.1)
    np.testing.assert_allclose(pi, exact, rtol=1e-12)


def test_first_passage_times_finite_exact_and_kac_consistent_on_KMR_N10():
    """KMR N = 10, epsilon = 0.01: 51 of 121 entries used to come back inf (all finite in truth)."""
    P = KMR_Markov_matrix_sequential(10, 1 / 3, 1e-2)
    M = mean_first_passage_times(P)
    assert np.isfinite(M).all()
    assert M.max() > 1e12  # slowly mixing: the hard case
    np.testing.assert_allclose(M, _exact_first_passage(P), rtol=1e-10)
    (pi_qe,) = qe.MarkovChain(P).stationary_distributions
    np.testing.assert_allclose(np.diag(M) * pi_qe, 1.0, rtol=1e-10)  # Kac: M_jj pi_j = 1


def test_stationary_distributions_one_per_recurrent_class_like_quantecon():
    # quantecon's own two-class example (test_core.test_markovchain_pmatrices): classes {0, 1}, {3, 4, 5}
    Q = np.zeros((6, 6))
    Q[0, 1], Q[1, 0] = 1, 1
    Q[2, [0, 3]] = 1 / 2
    Q[3, 4], Q[4, 5], Q[5, 3] = 1, 1, 1
    from sim.markov import stationary_distributions

    np.testing.assert_allclose(stationary_distributions(Q), qe.MarkovChain(Q).stationary_distributions,
                               atol=1e-15)
