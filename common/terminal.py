"""Rich consoles that use the full width when output is piped.

Rich lays out for 80 columns when stdout / stderr is not a terminal (and ``COLUMNS`` is
unset): piped, the load summary's ``restored`` header became ``restor…`` and an extraction ETA
broke mid-line. Off a terminal nobody's screen limits the width, and a line cut or wrapped by
us breaks ``grep`` and log parsers, so there the width is :data:`PIPE_WIDTH`; tables still take
only the width they need. On a terminal, or with ``COLUMNS`` set, Rich decides as before.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

PIPE_WIDTH = 1000


def make_console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    on_terminal = hasattr(stream, "isatty") and stream.isatty()
    if on_terminal or os.environ.get("COLUMNS"):
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=PIPE_WIDTH)
