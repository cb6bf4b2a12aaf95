"""Allow ``python -m extract``."""

from extract.cli import main

if __name__ == "__main__":
    main()
