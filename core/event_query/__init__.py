"""Event search (hunting): the query language and the search service.

* ``ast``: the typed tree of a query; ``fields``: what the language knows of field names;
* ``parser``: text -> tree (the grammar is in its docstring and in README, "Searching events");
* ``search``: the service (agency isolation, time range, histogram, top values, export);
* ``sigma``: a Sigma rule draft from a query's tree.

Each engine compiles the tree itself (``core/storage/{sqlite,elasticsearch}/event_search.py``),
to parameterised SQL and to the query DSL: no user text reaches an engine's query parser.
"""

# Nothing is imported here: the storage interface imports ``ast`` and the parser imports
# from storage, so this package must stay importable half-way.
