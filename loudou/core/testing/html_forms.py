"""Read a rendered HTML form the way a browser submits it, for "save untouched" tests.

A browser drops what its inputs reject: an `<input type=date>` whose value is not ISO
(2026-12-19) submits an empty string, and so does `datetime-local`. `submitted_values`
applies the same rule, so a test that posts them back catches a page that renders dates
the browser cannot keep."""

import re
from html.parser import HTMLParser

_VALID = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "datetime-local": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?"),
    "number": re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?"),
}
_SKIPPED = {"submit", "button", "reset", "file", "image"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.found = form_id, False, False
        self.pairs: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and not self.found:
            self.inside = self.form_id is None or a.get("id") == self.form_id
            self.found = self.inside
        if not self.inside or "disabled" in a:
            return
        if tag == "input":
            self._input(a)
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def _input(self, a: dict) -> None:
        kind, name = a.get("type", "text").lower(), a.get("name")
        if not name or kind in _SKIPPED:
            return
        if kind in {"checkbox", "radio"}:
            if "checked" in a:
                self.pairs.append((name, a.get("value", "on")))
            return
        value = a.get("value", "")
        pattern = _VALID.get(kind)
        if pattern is not None and value and not pattern.fullmatch(value):
            value = ""  # the browser rejects it and submits nothing
        self.pairs.append((name, value))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _s in self._options[:1]
            ]
            self.pairs += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # browsers drop one newline right after <textarea>
            self.pairs.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def submitted_values(html: str, form_id: str | None = None) -> dict[str, str | list[str]]:
    """What a browser would post for the form `form_id` (the first form when None),
    untouched: one value per name, a list where a name repeats."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.found, f"no form {form_id or ''} in the page"
    values: dict[str, str | list[str]] = {}
    for name, value in reader.pairs:
        if name in values:
            before = values[name]
            values[name] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            values[name] = value
    return values
