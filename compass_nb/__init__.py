"""Compass: the sales-operations analysis workbench."""

import sys

# Every Compass process that reads notebooks (the runner, its workers, the render processes)
# imports nbformat, whose jsonschema imports the IRI format checker when rfc3987-syntax is
# installed (JupyterLab's jupyter-events asks for it). That module compiles its grammars
# when imported, about 1.5 s of each process's start, for a format no notebook schema uses:
# marked as absent here (unless something imported it already), its import fails quietly
# and jsonschema leaves that one format unchecked.
sys.modules.setdefault("rfc3987_syntax", None)

__version__ = "0.1.0"
