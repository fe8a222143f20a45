"""Rendering of solidstack objects: rich terminal tables now, figures and HTML reports later."""


def console():
    """A rich console for command output: the terminal's width, or 160 columns when piped to a file."""
    from rich.console import Console

    c = Console(emoji=False)  # user strings such as a stack name are shown as written (":smile:" stays text)
    return c if c.is_terminal else Console(width=160, emoji=False)
