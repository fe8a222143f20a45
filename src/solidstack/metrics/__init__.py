"""Stack-level mass, thickness and energy breakdowns."""

from solidstack.metrics.breakdown import LayerFigures, StackBreakdown, breakdown

__all__ = ["LayerFigures", "StackBreakdown", "breakdown"]
