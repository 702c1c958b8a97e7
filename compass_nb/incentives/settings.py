"""The ``incentives`` parameter section (defaults and meanings: ``parameters/default.yaml``)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class IncentivesSettings:
    """The ``incentives`` section; build it with :func:`compass_nb.params.build` or
    :func:`compass_nb.params.section_settings`."""

    contests: str
    min_group_size: int
    pre_months: int
    pull_forward_months: int
    history_months: int
    step_days: int
    simulations: int
    bootstrap: int
    confidence: float
    seed: int
    motivated_probability: float
    compare_top_k: int
    handicap_floor: float
    margin_rate: float
    end_days: int
    split_days: int
    cancel_days: int
    signal_alpha: float
    signal_min_cases: int
