"""Interlayer eligibility, metal screening and the patent claim chart.

>>> from solidstack import rules
>>> rules.assess("In", "graphite", "Li").physical.verdict
'reacts'
>>> rules.assess("In", "Li4Ti5O12", "Li").physical.verdict
'inert'
>>> from solidstack.stack import load_preset
>>> rules.check(load_preset("example-4")).claim(2).verdict
'met'
"""

from solidstack.rules.check import LayerVerdict, StackCheck, check
from solidstack.rules.claims import Claim, ClaimResult, claim_chart, load_claims
from solidstack.rules.reactions import Reaction, ReactionScan, scan
from solidstack.rules.screening import ScreenResult, screen, screen_all
from solidstack.rules.verdicts import Assessment, PatentVerdict, PhysicalVerdict, assess
from solidstack.rules.windows import WindowInfo, active_window, stack_windows

__all__ = [
    "Assessment",
    "Claim",
    "ClaimResult",
    "LayerVerdict",
    "PatentVerdict",
    "PhysicalVerdict",
    "Reaction",
    "ReactionScan",
    "ScreenResult",
    "StackCheck",
    "WindowInfo",
    "active_window",
    "assess",
    "check",
    "claim_chart",
    "load_claims",
    "scan",
    "screen",
    "screen_all",
    "stack_windows",
]
