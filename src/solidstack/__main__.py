"""``python -m solidstack``: the same command line as the ``solidstack`` entry point."""

from solidstack.cli import main

if __name__ == "__main__":
    main()
