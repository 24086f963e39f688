"""The web app's cap on glibc's malloc arenas (convqa.web.memory), which keeps its memory
level under many users (README, *Soak run*)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from convqa.web.memory import cap_malloc_arenas

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="the cap is glibc's")
def test_the_cap_is_set_on_glibc_in_a_fresh_process():
    # A fresh interpreter: what the app's own process does when it starts.
    code = "from convqa.web.memory import cap_malloc_arenas; print(cap_malloc_arenas(2))"
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "True"


def test_zero_leaves_glibc_alone():
    assert cap_malloc_arenas(0) is False


def test_an_operators_malloc_arena_max_wins(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert cap_malloc_arenas(2) is False
