"""The package's shape: imports go down the layers, no circles through the question's path,
small files and functions, and an import that changes nothing in the environment.

These walk the source with ``ast`` (no convqa module is imported), so they are fast and
fail on the commit that adds an upward import, a 301st line or a 61-line function.
"""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.fast  # no model, server or browser: scripts/test.sh --fast runs it

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "convqa"

#: From the bottom up; a module may import its own layer and the ones below.
LAYERS: list[tuple[str, ...]] = [
    ("convqa.settings", "convqa.errors", "convqa.offline", "convqa.messages", "convqa.model.calibration"),
    ("convqa.model", "convqa.corpus"),
    ("convqa.index", "convqa.analysis"),
    ("convqa.retrieval",),
    ("convqa.answer", "convqa.reader"),
    ("convqa.pipeline", "convqa.question", "convqa.conversation"),
    ("convqa.assistant", "convqa"),
    ("convqa.evaluation", "convqa.training"),
    ("convqa.web", "convqa.cli"),
]
#: Upward imports still allowed, as (importer, imported) pairs; keep it empty.
ALLOWED_UPWARD: set[tuple[str, str]] = set()
#: A circle through these is a circle through the question's path.
CORE = ("convqa.assistant", "convqa.pipeline", "convqa.answer")
MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best = None
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or (prefix != "convqa" and module.startswith(prefix + ".")):
                if best is None or len(prefix) > best[1]:
                    best = (level, len(prefix))
    if best is None:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in {Path(__file__).name}")
    return best[0]


@functools.cache
def sources() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported convqa module, line, inside a function) for each import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function.update(id(sub) for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom)))
    known = sources()
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from convqa.web import render` imports the module convqa.web.render.
            names = [f"{target}.{a.name}" if f"{target}.{a.name}" in known else target for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in dict.fromkeys(names):
            if name == "convqa" or name.startswith("convqa."):
                found.append((name, node.lineno, id(node) in in_function))
    return found


@functools.cache
def graph() -> dict[str, set[str]]:
    known = sources()
    edges: dict[str, set[str]] = {m: set() for m in known}
    for module, path in known.items():
        for target, _, _ in imports_of(module, path):
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != module:
                edges[module].add(target)
    return edges


def test_imports_go_down_the_layers():
    upward = sorted(
        (module, target)
        for module, targets in graph().items()
        for target in targets
        if layer_of(target) > layer_of(module) and (module, target) not in ALLOWED_UPWARD
    )
    assert upward == [], "imports that climb a layer: " + ", ".join(f"{a} -> {b}" for a, b in upward)


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_circle_passes_through_the_question_path():
    through_core = [c for c in _circles(graph()) if any(m == p or m.startswith(p + ".") for m in c for p in CORE)]
    assert not through_core, "circles through the question's path: " + "; ".join(" <-> ".join(c) for c in through_core)


def test_imports_inside_functions_say_why():
    """A convqa import inside a function is allowed only to keep a heavy library off a
    start-up path, with a one-line comment (``# lazy: …``) on or just above its line."""
    silent = []
    for module, path in sources().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for target, line, inside in imports_of(module, path):
            if not inside:
                continue
            around = lines[line - 1] + " " + (lines[line - 2] if line >= 2 else "")
            if "# lazy:" not in around:
                silent.append(f"{path.relative_to(SRC)}:{line} imports {target}")
    assert not silent, "convqa imports inside functions without a '# lazy:' reason:\n" + "\n".join(silent)


def test_files_and_functions_stay_small():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(SRC)
        if len(text.splitlines()) > MAX_FILE_LINES:
            too_long.append(f"{rel}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{rel}:{node.lineno} {node.name}() {length} lines")
    assert not too_long, "over the size limits:\n" + "\n".join(too_long)


def test_importing_convqa_changes_no_environment_variable():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "GRADIO_", "ANONYMIZED_"))}
    env["PYTHONPATH"] = str(SRC)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, convqa; print(os.environ.get('HF_HUB_OFFLINE'), os.environ.get('GRADIO_ANALYTICS_ENABLED'))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["None", "None"]


def test_the_layer_table_knows_every_module():
    for module in sources():
        layer_of(module)
