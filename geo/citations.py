"""Citations of plan facts: which seed file, which lines, and the verbatim words.

Every plan fact in ``data/plan/`` carries at least one citation. A citation is checkable: the
quote must occur in the cited line range of the seed copy in ``data/plan/seeds/`` (compared
with all whitespace removed, because the seeds wrap and space Chinese text irregularly).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS.sub("", text)


class Citation(BaseModel):
    """One pointer into a seed document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    src: str
    lines: str
    quote: str | None = None
    field: str | None = None

    @field_validator("lines", mode="before")
    @classmethod
    def _lines_as_text(cls, value: object) -> str:
        return str(value)

    @property
    def line_range(self) -> tuple[int, int]:
        """First and last cited line, 1-based and inclusive."""
        first, _, last = self.lines.partition("-")
        return int(first), int(last or first)

    @property
    def ref(self) -> str:
        """Short form used in tables and popups, e.g. ``000:554``."""
        return f"{self.src}:{self.lines}"


def refs(citations: list[Citation]) -> str:
    """Join citations into one readable, de-duplicated string (``000:513; 000:554``)."""
    return "; ".join(dict.fromkeys(c.ref for c in citations))


@dataclass(frozen=True)
class SeedLibrary:
    """The seed copies shipped in ``data/plan/seeds``, addressed by 3-digit prefix."""

    seeds_dir: Path

    @cached_property
    def files(self) -> dict[str, Path]:
        """Map ``"000"`` to the seed file path."""
        return {p.name[:3]: p for p in sorted(self.seeds_dir.glob("[0-9][0-9][0-9]_*.txt"))}

    @cached_property
    def _lines(self) -> dict[str, list[str]]:
        return {k: p.read_text("utf-8").splitlines() for k, p in self.files.items()}

    def text_lines(self, src: str) -> list[str]:
        """All lines of the seed with prefix ``src``."""
        return self._lines[src]

    def text(self, citation: Citation) -> str:
        """Return the cited lines joined, or raise KeyError/IndexError if they do not exist."""
        lines = self._lines[citation.src]
        first, last = citation.line_range
        if not 1 <= first <= last <= len(lines):
            raise IndexError(f"{citation.ref} is outside 1..{len(lines)}")
        return "\n".join(lines[first - 1 : last])

    def problem(self, citation: Citation) -> str | None:
        """Describe why a citation does not check out, or return None when it does."""
        try:
            text = self.text(citation)
        except KeyError:
            return f"{citation.ref}: no seed file with prefix {citation.src}"
        except (IndexError, ValueError) as exc:
            return f"{citation.ref}: {exc}"
        if not text.strip():
            return f"{citation.ref}: cited lines are blank"
        if citation.quote and _squash(citation.quote) not in _squash(text):
            return f"{citation.ref}: quote not found: {citation.quote[:40]}"
        return None
