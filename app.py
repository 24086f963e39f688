"""Start the convqa browser chat: ``python app.py [OPTIONS]`` is ``convqa serve [OPTIONS]``.

The options are the ``serve`` command's own (one definition, in ``convqa.cli``), so the
two front doors cannot drift apart. Settings also come from ``CONVQA_*`` variables.
"""

import sys

import typer

from convqa.cli import app
from convqa.offline import go_offline

if __name__ == "__main__":
    go_offline()
    serve = typer.main.get_command(app).commands["serve"]
    serve.main(sys.argv[1:], prog_name="app.py")
