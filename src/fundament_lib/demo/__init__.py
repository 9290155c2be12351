"""A seeded synthetic survey for all 98 kommuner, with planted effects the analysis must find.

:mod:`.model` (the latent-variable model and :class:`DemoConfig`),
:mod:`.respondents` (one group's answers as a survey tool exports them),
:mod:`.survey` (:func:`generate`: every kommune, the tidy table and the
planted truth), :mod:`.files` (:func:`write_demo`) and :mod:`.truth` (the
planted truth read back, :func:`local_pickups`).
"""

from .files import write_demo
from .model import LOCAL_DRIVER_WEIGHT, THRESHOLDS, DemoConfig, DemoSurvey, expected_item_mean
from .survey import generate
from .truth import LOCAL_MARGIN, load_planted, local_pickups

__all__ = [
    "DemoConfig",
    "DemoSurvey",
    "generate",
    "write_demo",
    "expected_item_mean",
    "THRESHOLDS",
    "LOCAL_DRIVER_WEIGHT",
    "LOCAL_MARGIN",
    "load_planted",
    "local_pickups",
]
