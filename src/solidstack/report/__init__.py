"""Rendering of solidstack objects: rich terminal tables now, figures and HTML reports later."""
