"""Text folded for matching, with the way back to the original characters.

De-identification looks for addresses, host names, ID and phone numbers in what analysts
write, which mixes Chinese and ASCII and is often typed with full-width characters
(``１０．２０．１．５``), ideographic full stops (``fs01.taichung。gov.tw``), defanged
notation (``evil[.]example``, ``amy[at]example``) or invisible characters pasted from chat.
The folded text has one plain form of all of those; each of its characters remembers which
original characters it came from, so a match found in the folded text replaces exactly
those characters of the original and leaves everything else as the analyst wrote it.
"""

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Folded", "fold"]

# Defanged dots and at-signs, as threat reports write them (case-insensitive).
_DEFANGED = re.compile(
    r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\[@\]|\(@\)|\[at\]|\(at\)|\{at\}", re.I
)
_DOTS = {"\u3002": ".", "\uff61": ".", "\ufe12": "."}  # ideographic full stops (after NFKC)


@dataclass(frozen=True, slots=True)
class Folded:
    text: str
    starts: tuple[int, ...]  # per folded character: where its original characters start
    ends: tuple[int, ...]  # ... and end

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded span ``[start, end)`` (``end > start``)."""
        return self.starts[start], self.ends[end - 1]


def fold(text: str) -> Folded:
    """NFKC per character, ideographic and full-width dots as ``.``, defanged ``[.]`` and
    ``[at]`` as ``.`` and ``@``, format characters (zero-width spaces and joiners, soft
    hyphens, BOMs) dropped. Case is kept: patterns decide about case."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        defanged = _DEFANGED.match(text, i)
        if defanged:
            out.append("@" if "a" in defanged.group(0).lower() or "@" in defanged.group(0) else ".")
            starts.append(i)
            ends.append(defanged.end())
            i = defanged.end()
            continue
        char = text[i]
        if unicodedata.category(char) != "Cf":
            for folded in unicodedata.normalize("NFKC", char):
                out.append(_DOTS.get(folded, folded))
                starts.append(i)
                ends.append(i + 1)
        i += 1
    return Folded("".join(out), tuple(starts), tuple(ends))
