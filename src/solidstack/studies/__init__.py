"""Studies built on the simulation: the reproduction of the patent's experiments, design studies (sweeps with a
resumable results store), inverse design and design-around."""

from solidstack.studies.execute import StudyRun, run_designs, run_study
from solidstack.studies.inverse import DesignResult, design
from solidstack.studies.plots import plot_store
from solidstack.studies.published import PublishedNumber, published_numbers
from solidstack.studies.reproduce import CELLS, Comparison, Reproduction, reproduce
from solidstack.studies.store import Store
from solidstack.studies.study import Axis, Design, Study

__all__ = [
    "CELLS",
    "Axis",
    "Comparison",
    "Design",
    "DesignResult",
    "PublishedNumber",
    "Reproduction",
    "Store",
    "Study",
    "StudyRun",
    "design",
    "plot_store",
    "published_numbers",
    "reproduce",
    "run_designs",
    "run_study",
]
