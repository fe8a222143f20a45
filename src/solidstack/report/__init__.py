"""Rendering of solidstack objects: rich terminal tables, figures (:mod:`solidstack.report.figures`), HTML
(:mod:`solidstack.report.html`), the design report of a stack (:func:`design_report`) and the reproduction
report (:mod:`solidstack.report.reproduction`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solidstack.report.design import DesignReport


def console():
    """A rich console for command output: the terminal's width, or 160 columns when piped to a file."""
    from rich.console import Console

    c = Console(emoji=False)  # user strings such as a stack name are shown as written (":smile:" stays text)
    return c if c.is_terminal else Console(width=160, emoji=False)


def design_report(stack: Any, **kwargs: Any) -> DesignReport:
    """The self-contained HTML design report of ``stack``; see :func:`solidstack.report.design.design_report`."""
    from solidstack.report.design import design_report as build

    return build(stack, **kwargs)
