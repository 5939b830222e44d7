"""The hostile inputs of xss_corpus.txt (its header explains the format)."""

import re
from functools import cache
from pathlib import Path

CORPUS = Path(__file__).with_name("xss_corpus.txt")
ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[nrt\\])")
SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}


def decode(line):
    def character(escape):
        code = escape.group(1)
        return SIMPLE_ESCAPES.get(code) or chr(int(code[1:], 16))

    return ESCAPE.sub(character, line)


@cache
def payloads():
    lines = CORPUS.read_text(encoding="utf-8").split("\n")
    return tuple(
        decode(line) for line in lines if line.strip() and line != "#" and not line.startswith("# ")
    )
