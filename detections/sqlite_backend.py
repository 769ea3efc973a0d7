"""pySigma's sqlite backend, aimed at CitySOC's events table instead of a flat table.

Field references become indexed columns where we have them and ``json_extract`` over the
event document otherwise, as the engine's column contract says (``core.storage.sqlite.columns``).
Values in the document are text, so numbers are compared as text for equality and cast for
ordering. Keyword (value-only) rules search the original record, which pySigma's sqlite
backend leaves unsupported.
"""

from datetime import UTC, datetime
from typing import Any, ClassVar

from sigma.backends.sqlite.sqlite import sqliteBackend
from sigma.conditions import ConditionFieldEqualsValueExpression, ConditionValueExpression
from sigma.conversion.state import ConversionState
from sigma.types import SigmaString, SpecialChars

from core.storage.sqlite.columns import COLUMN_FIELDS, field_sql

__all__ = ["CitySocSqliteBackend", "since_condition"]


class CitySocSqliteBackend(sqliteBackend):
    name: ClassVar[str] = "CitySOC SQLite backend"
    compare_op_expression: ClassVar[str] = "CAST({field} AS REAL) {operator} {value}"

    def __init__(self, processing_pipeline: Any = None, collect_errors: bool = False) -> None:
        super().__init__(processing_pipeline, collect_errors, collate_nocase=True)

    def escape_and_quote_field(self, field: str) -> str:
        return field_sql(field)

    def resolve_table(self, state: Any = None) -> str:  # noqa: ARG002
        return "events"

    def convert_condition_field_eq_val_num(
        self,
        cond: ConditionFieldEqualsValueExpression,
        state: ConversionState,  # noqa: ARG002 - pySigma's signature
    ) -> str:
        field = self.escape_and_quote_field(cond.field)
        if cond.field in COLUMN_FIELDS:
            return f"{field}={cond.value}"
        return f"{field}='{cond.value}'"

    def _keyword(self, cond: ConditionValueExpression, state: ConversionState) -> Any:
        value = cond.value if isinstance(cond.value, SigmaString) else SigmaString(str(cond.value))
        if not value.startswith(SpecialChars.WILDCARD_MULTI):
            value = SigmaString("*") + value
        if not value.endswith(SpecialChars.WILDCARD_MULTI):
            value = value + SigmaString("*")
        as_field = ConditionFieldEqualsValueExpression("event.original", value)
        as_field.parent = cond.parent
        return self.convert_condition_field_eq_val_str(as_field, state)

    def convert_condition_val_str(
        self, cond: ConditionValueExpression, state: ConversionState
    ) -> Any:
        return self._keyword(cond, state)

    def convert_condition_val_num(
        self, cond: ConditionValueExpression, state: ConversionState
    ) -> Any:
        return self._keyword(cond, state)


def since_condition(at: datetime) -> str:
    """Events at or after ``at`` (the timestamp column holds ISO 8601 UTC text)."""
    return f"{COLUMN_FIELDS['@timestamp']} >= '{at.astimezone(UTC).isoformat()}'"
