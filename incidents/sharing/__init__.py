"""Central-Taiwan joint defence: STIX 2.1 bundles out, TAXII 2.1 collections served,
partners' indicators in.

regulations.md §7.3-7.5: sharing between cities is voluntary sharing of Art. 2 intelligence
under a written arrangement; the partner registry (partners.yaml) is that arrangement in
machine form. Statutory notifications never travel this way.
"""
