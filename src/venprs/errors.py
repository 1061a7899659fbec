"""Exceptions raised by venprs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

__all__ = ["InputError", "InputErrors", "Problem"]

#: How many problems the one-line summary of :class:`InputErrors` lists.
SUMMARY_LINES = 10


class InputError(ValueError):
    """Bad user input: names the place (file, row, column), the value and what is accepted.

    Parameters
    ----------
    message : str
        What is wrong and what is accepted.
    file, row, column, value, field :
        Where the problem is. ``row`` is the 1-based data row (the header is not
        counted). Any may be ``None`` when it does not apply.
    """

    def __init__(self, message: str, *, file=None, row=None, column=None, value=None, field=None):
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.value = value
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return (": ".join([", ".join(where), self.message]) if where else self.message)

    def with_file(self, file) -> "InputError":
        """A copy of this error that also names ``file``."""
        return InputError(self.message, file=file, row=self.row, column=self.column,
                          value=self.value, field=self.field)


@dataclass(frozen=True)
class Problem:
    """One bad cell (or row) of an input table.

    Attributes
    ----------
    message : what is wrong and what is accepted, in the user's words
    row : 1-based data row (the header is not counted), or ``None``
    sheet_row : the row as the spreadsheet or text editor shows it (header = 1 when it
        is the first line), or ``None`` when not known (a table built in Python)
    patient : the row's patient ID, when the table has an ID column
    column : the column as named in the file
    value : the cell's text
    """

    message: str
    row: int | None = None
    sheet_row: int | None = None
    patient: str | None = None
    column: str | None = None
    value: str | None = None

    def where(self) -> str:
        """``row 3 (sheet row 4), patient P-7, column 'FLT3'`` (the parts that are known)."""
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}" + (f" (sheet row {self.sheet_row})" if self.sheet_row is not None
                                              and self.sheet_row != self.row else ""))
        if self.patient:
            parts.append(f"patient {self.patient}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        w = self.where()
        return f"{w}: {self.message}" if w else self.message

    def as_dict(self) -> dict:
        """Plain dict (JSON and the ``--errors`` CSV)."""
        return {"row": self.row, "sheet_row": self.sheet_row, "patient": self.patient, "column": self.column,
                "value": self.value, "problem": self.message}


class InputErrors(InputError):
    """Every problem found in one input table, raised once.

    ``str()`` is a short summary: the count and the first :data:`SUMMARY_LINES`
    problems, one a line. :attr:`problems` holds all of them.

    Parameters
    ----------
    problems : sequence of Problem
        At least one.
    file : str, optional
        The file (and sheet) the table came from.
    """

    def __init__(self, problems: Sequence[Problem], *, file=None):
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("InputErrors needs at least one problem")
        first = self.problems[0]
        self.problems_file = file
        super().__init__(first.message, file=file, row=first.row, column=first.column, value=first.value)

    def _render(self) -> str:
        problems = self.problems
        head = f"{self.file}: " if self.file else ""
        if len(problems) == 1:
            return head + str(problems[0])
        lines = [f"{head}{len(problems)} problems"
                 + (f" (the first {SUMMARY_LINES} below)" if len(problems) > SUMMARY_LINES else "") + ":"]
        lines += [f"  {p}" for p in problems[:SUMMARY_LINES]]
        return "\n".join(lines)

    def with_file(self, file) -> "InputErrors":
        """A copy that names ``file``."""
        return InputErrors(self.problems, file=file)

    @classmethod
    def raise_if_any(cls, problems: Iterable[Problem], *, file=None) -> None:
        """Raise one :class:`InputErrors` carrying ``problems`` when there is at least one."""
        problems = list(problems)
        if problems:
            raise cls(problems, file=file)

