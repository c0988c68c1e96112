"""Problems found in an uploaded file: :class:`Problem` (row, column, value, message) and
:class:`DataValidationError` (every problem of one file). Shared by the readers of ``sim.data``, the
indicator sheet (``sim.indicators``) and the units sheet (``sim.units``).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MAX_PROBLEMS_SHOWN = 60  # in str(DataValidationError); .problems always has all of them


# ---------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded file.

    Attributes
    ----------
    row : int or None
        Row number as a spreadsheet shows it (header = row 1); None for file- or column-level
        problems.
    column : str or None
        The column as written in the file (or the canonical name of a missing column).
    value : str or None
        The offending cell or name, as text.
    message : str
        What is wrong and what was expected, in plain words.
    """

    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.value is not None and self.row is not None:
            where.append(f"value '{self.value}'")
        prefix = (", ".join(where) + ": ") if where else ""
        return prefix[:1].upper() + prefix[1:] + self.message if prefix else self.message

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "problem": self.message}


class DataValidationError(ValueError):
    """An upload that cannot be used; ``problems`` lists every :class:`Problem` found.

    Parameters
    ----------
    problems : list of Problem
    source : str, optional
        File name shown in the message.
    """

    def __init__(self, problems, source: str = ""):
        self.problems: list[Problem] = list(problems)
        self.source = source
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = (f"{n} problem{'s' if n != 1 else ''} in {self.source or 'the file'}:")
        lines = [f"  - {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if n > MAX_PROBLEMS_SHOWN:
            lines.append(f"  ... and {n - MAX_PROBLEMS_SHOWN} more")
        return "\n".join([head, *lines])

    def __str__(self) -> str:
        return self._text()

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table (row, column, value, problem) for display."""
        return pd.DataFrame([p.to_dict() for p in self.problems],
                            columns=["row", "column", "value", "problem"])

