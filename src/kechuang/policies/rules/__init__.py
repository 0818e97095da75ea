"""Policy rule core (惠企政策 as data), free of Django: inputs, formulas, libraries and evaluation.

Kept framework-free, like the matching engine and the enclave scoring core, so rules can be checked from
the command line (`kechuang policies evaluate`), tested on their own and benchmarked county-wide.
"""

from .evaluate import MET, NOT_MET, RESULT_LABELS, UNKNOWN, TableResult, evaluate_table, explain, explain_rows
from .expr import FUNCTIONS, FormulaError, compile_formula
from .inputs import INPUTS, Facts, FactsError, FactTable, Qualification, facts_from_json
from .library import OPERATORS, Library, LibraryError, load_library, parse_library

__all__ = [
    "FUNCTIONS",
    "INPUTS",
    "MET",
    "NOT_MET",
    "OPERATORS",
    "RESULT_LABELS",
    "UNKNOWN",
    "FactTable",
    "Facts",
    "FactsError",
    "FormulaError",
    "Library",
    "LibraryError",
    "Qualification",
    "TableResult",
    "compile_formula",
    "evaluate_table",
    "explain",
    "explain_rows",
    "facts_from_json",
    "load_library",
    "parse_library",
]
