"""Erlang B/C and the M/M/c waiting time against textbook closed forms and an independent
log-space evaluation (tolerances stated per test)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcore.analysis.queueing import (
    erlang_b,
    erlang_c,
    mm1_wait,
    mmc_sojourn,
    mmc_wait,
    utilization,
)

REL = 1e-12


def _log_erlang_c(c: int, a: float) -> float:
    """Erlang C from the Poisson form in log space (lgamma + log-sum-exp): independent of the
    recursion in the module."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    top = c * math.log(a) - math.lgamma(c + 1) - math.log(1 - a / c)
    m = max(max(logs), top)
    denom = sum(math.exp(x - m) for x in logs) + math.exp(top - m)
    return math.exp(top - m) / denom


def _plain_recursion_b(c: int, a: float) -> float:
    b = 1.0
    for n in range(1, c + 1):
        b = a * b / (n + a * b)
    return b


def test_mm1_closed_form():
    # λ = 8/s, μ = 10/s: ρ = 0.8, Wq = ρ / (μ − λ) = 0.4 s, W = 0.5 s.
    assert mm1_wait(8.0, 0.1) == pytest.approx(0.4, rel=REL)
    assert mmc_sojourn(8.0, 0.1, 1) == pytest.approx(0.5, rel=REL)
    # λ = 0.5, μ = 1: Wq = 1.
    assert mm1_wait(0.5, 1.0) == pytest.approx(1.0, rel=REL)


def test_mm2_textbook_lambda_1_mu_075():
    # c = 2, λ = 1, μ = 0.75: a = 4/3, ρ = 2/3, P0 = 1/5, C = 8/15, Wq = C / (cμ − λ) = 16/15.
    assert erlang_c(2, 4.0 / 3.0) == pytest.approx(8.0 / 15.0, rel=REL)
    assert mmc_wait(1.0, 1.0 / 0.75, 2) == pytest.approx(16.0 / 15.0, rel=REL)


def test_mm3_textbook_lq():
    # c = 3, λ = 2, μ = 1: P0 = 1/9, C = 4/9, Wq = 4/9, Lq = λ Wq = 8/9.
    assert erlang_c(3, 2.0) == pytest.approx(4.0 / 9.0, rel=REL)
    assert 2.0 * mmc_wait(2.0, 1.0, 3) == pytest.approx(8.0 / 9.0, rel=REL)


def test_erlang_b_known_value():
    # B(10, 5) = (5^10 / 10!) / sum_{k<=10} 5^k / k! = 0.018384570..., from the definition.
    num = 5.0 ** 10 / math.factorial(10)
    den = sum(5.0 ** k / math.factorial(k) for k in range(11))
    assert erlang_b(10, 5.0) == pytest.approx(num / den, rel=REL)
    assert erlang_b(10, 5.0) == pytest.approx(0.0183845, abs=1e-7)


@pytest.mark.parametrize("c,a", [(10_000, 9_900.0), (10_000, 9_999.0), (10_000, 5_000.0),
                                 (10_000, 9_000.0), (2_000, 1_950.5), (500, 450.0),
                                 (100, 65.0), (70, 69.9)])
def test_large_c_matches_log_space(c, a):
    # Tolerance 1e-9 relative: lgamma of ~1e4 loses about 1e-12 of the result.
    assert erlang_c(c, a) == pytest.approx(_log_erlang_c(c, a), rel=1e-9)
    assert erlang_b(c, a) == pytest.approx(_plain_recursion_b(c, a), rel=1e-11)


def test_large_c_light_load_waits_nothing_finite():
    w = mmc_wait(100.0, 1.0, 10_000)  # a = 100 on 10,000 workers
    assert w >= 0.0 and w < 1e-300
    assert erlang_c(10_000, 1.0) == 0.0 or erlang_c(10_000, 1.0) < 1e-300


@settings(max_examples=200, deadline=None)
@given(c=st.integers(1, 3000), rho=st.floats(0.001, 0.999))
def test_recursion_start_near_a_is_exact(c, rho):
    a = rho * c
    assert erlang_b(c, a) == pytest.approx(_plain_recursion_b(c, a), rel=1e-11, abs=1e-289)  # below 1e-290: 0 by design


def test_saturated_and_empty_conventions():
    assert mmc_wait(10.0, 0.1, 1) == math.inf  # ρ = 1
    assert mmc_wait(11.0, 0.1, 1) == math.inf
    assert mmc_wait(0.0, 1.0, 1) == 0.0
    assert mmc_wait(0.0, math.inf, 4) == 0.0  # 0 · ∞ = 0
    assert mmc_wait(5.0, 0.0, 4) == 0.0
    assert mmc_wait(5.0, math.inf, 4) == math.inf
    assert utilization(0.0, math.inf, 3) == 0.0
    assert utilization(30.0, 0.1, 3) == pytest.approx(1.0)
    assert erlang_c(4, 4.0) == 1.0
    assert erlang_b(4, 0.0) == 0.0
    with pytest.raises(ValueError):
        erlang_c(0, 1.0)
