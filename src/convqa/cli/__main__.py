"""``python -m convqa.cli``: the same command as the ``convqa`` console script."""

from convqa.cli import main

if __name__ == "__main__":
    main()
