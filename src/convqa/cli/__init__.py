"""The ``convqa`` command: index, add, ask, status, serve, articles, remove, eval, train-reader,
train-answerer, models.

One module per group of commands (``index``: index and add; ``ask``; ``status``;
``serve``; ``articles``: articles and remove; ``measure``: eval and train-reader; ``train``:
train-answerer; ``models``: list and install), their shared options and helpers in
``common``. The commands are registered here, in the order
``--help`` lists them.

Only typer, the settings and plain-Python modules are imported at module level, so
``--help`` answers at once; the model and the stores load inside the commands that need them.
"""

from __future__ import annotations

import typer

from convqa.cli import articles, ask, index, measure, models, serve, status, train
from convqa.offline import go_offline

__all__ = ["app", "main"]

app = typer.Typer(
    help="Answers questions about news articles with the exact passages it relied on.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts are plain: "[env CONVQA_DATA_DIR, default .convqa]" is not rich markup.
    rich_markup_mode=None,
)
app.command()(index.index)
app.command()(index.add)
app.command()(ask.ask)
app.command()(status.status)
app.command()(serve.serve)
app.command()(articles.articles)
app.command()(articles.remove)
app.command("eval")(measure.eval_command)
app.command("train-reader")(measure.train_reader_command)
app.command("train-answerer")(train.train_answerer_command)
app.add_typer(models.app, name="models")


def main() -> None:
    """Console-script entry point (offline before any command loads a model or Gradio)."""
    go_offline()
    app()
