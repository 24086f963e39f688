"""Keeping a long-running app's memory level: the cap on glibc's malloc arenas.

glibc gives a thread its own arena when another holds the main one, up to eight per core.
A Gradio app answers on a pool of worker threads, so under concurrent users the freed
memory ends up scattered over many arenas and is rarely returned to the system: in a
10-minute soak at 10,000 passages the app grew 1.5 GB → 2.4 GB and was still growing.
``MALLOC_ARENA_MAX=2`` is the usual remedy; ``mallopt`` applies it from inside the process,
for the arenas created after the call, so it runs before the server starts its threads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

# From glibc's <malloc.h>: the mallopt parameter behind MALLOC_ARENA_MAX.
_M_ARENA_MAX = -8


def cap_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas at ``arenas``; True when the cap was set.

    Does nothing (False) for ``arenas`` 0, off Linux or glibc, or when ``MALLOC_ARENA_MAX``
    is already in the environment: glibc read it at start, and an operator's choice wins.
    """
    if arenas <= 0 or not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt(_M_ARENA_MAX, arenas) == 1
