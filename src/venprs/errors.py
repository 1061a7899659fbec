"""Exceptions raised by venprs."""

from __future__ import annotations

__all__ = ["InputError"]


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
