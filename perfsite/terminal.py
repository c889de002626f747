"""What the CLI prints, made safe for a terminal whatever a file name or a message holds."""

from __future__ import annotations

import re
from typing import TextIO

# What a file name or a message may not send a terminal as it is: control characters (an escape
# sequence can clear or retitle it), bidirectional overrides (which reorder what is shown) and
# the surrogates that stand for bytes a name has that are not UTF-8. Where diff colours its
# lines, colour (SGR) is let through as well: it can only colour.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_BUT_COLOUR = re.compile(r"\x1b\[[0-9;]*m|" + _UNSAFE.pattern)


def _escaped(match: re.Match[str]) -> str:
    char = match[0]
    if len(char) > 1:
        return char  # a colour
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class SafeStream:
    """stdout or stderr with what a terminal must not be sent (see _UNSAFE) written as escapes,
    and Chinese that its encoding cannot hold (PYTHONIOENCODING=ascii) as escapes too, instead
    of ending the command half-way: every line the CLI prints passes here."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.colour = False
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            reconfigure(errors="backslashreplace")

    def write(self, text: str) -> int:
        return self._stream.write((_UNSAFE_BUT_COLOUR if self.colour else _UNSAFE).sub(_escaped, text))

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)
