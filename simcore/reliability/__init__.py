"""The reliability simulation (SPEC §3): years of simulated failures, repairs and standby
take-overs, no traffic; the time-averaged request availability with its 95% interval, outages
and downtime, checked against the instant analysis.

    from simcore.reliability import reliability
    result = reliability(design, years=1000, replications=4, seed=1)
    result.to_json()        # the `skyline reliability --json` object
"""

from simcore.reliability.plan import StudyTooBig
from simcore.reliability.study import ReliabilityResult, reliability

__all__ = ["ReliabilityResult", "StudyTooBig", "reliability"]
