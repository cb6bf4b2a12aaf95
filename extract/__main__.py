"""Allow ``python -m extract``."""

from extract.cli import entry

if __name__ == "__main__":
    entry()
