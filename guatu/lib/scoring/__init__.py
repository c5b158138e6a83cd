"""Performance-assessment scoring (绩效考核), as pure logic: schemes, values, the computation.

The same code runs from files (`guatu assess score`) and inside the app. See docs/assessment.md for the
scheme format, the methods and the rounding points.
"""

from guatu.lib.scoring.engine import GroupResult, SchemeResult, UnitResult, score_scheme
from guatu.lib.scoring.scheme import Scheme, SchemeError, scheme_from_dict, scheme_to_dict
from guatu.lib.scoring.values import Values, ValuesError, values_from_csv

__all__ = [
    "GroupResult",
    "Scheme",
    "SchemeError",
    "SchemeResult",
    "UnitResult",
    "Values",
    "ValuesError",
    "scheme_from_dict",
    "scheme_to_dict",
    "score_scheme",
    "values_from_csv",
]
