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
