"""How long each kind of free text a person types may be: one table for the API's input
models and the pages' forms (which validate with the same models), so both refuse alike.

Stored records carry no limits (a record written before a limit existed still loads);
what enters is limited.
"""

__all__ = ["IDENT", "IOC", "NAME", "NOTE", "REASON", "SELECTION", "TEXT", "TITLE"]

TITLE = 300  # an incident's title
TEXT = 20_000  # narratives: description, measures, progress, the report's items, a summary
NOTE = 5_000  # notes: review, recovery, outside support, other matters, an IoC's note
REASON = 2_000  # reasons: false positive, fallback channel, awareness correction; file notes
NAME = 100  # a token's name
IDENT = 200  # an id or code in a body: alert, incident, agency, asset name
IOC = 2_048  # one indicator's value (a URL may be long)
SELECTION = 1_000  # items in one list (alerts selected, IoCs, affected assets)
