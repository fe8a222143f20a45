"""Studies built on the simulation: the reproduction of the patent's experiments."""

from solidstack.studies.published import PublishedNumber, published_numbers
from solidstack.studies.reproduce import CELLS, Comparison, Reproduction, reproduce

__all__ = ["CELLS", "Comparison", "PublishedNumber", "Reproduction", "published_numbers", "reproduce"]
