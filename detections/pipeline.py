"""Our one processing pipeline: Sigma field names and log sources -> CitySOC's ECS fields.

Windows log sources become Channel/EventID conditions (pySigma's sysmon and
windows-logsources pipelines), so a process-creation rule looks at Sysmon event 1 in the
Sysmon channel. A category with a built-in equivalent (``NATIVE_SOURCES``: Security 4688 for
process_creation) looks at that event too, when the native event can judge the rule: the
ingest gives it some of Sysmon's fields (collectors.parsers.winlog_native), and every field
the rule reads under a ``not`` must be one of them and present.
Then the Windows system fields map to ``winlog.*`` and every other Windows field to
``winlog.event_data.<Name>``, as our parsers store them.

pySigma's windows_audit_pipeline is not used whole: it moves a rule to the Security log
instead of adding it, and renames fields one to one (``User`` -> ``SubjectUserName``), which
cannot give Sysmon's ``DOMAIN\\user``, decimal process ids or integrity words; its event ids
(4688, 4657) agree with ``NATIVE_SOURCES``.
"""

from dataclasses import dataclass

from sigma.conditions import (
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionValueExpression,
    SigmaCondition,
)
from sigma.correlations import SigmaCorrelationRule
from sigma.pipelines.common import windows_logsource_mapping
from sigma.pipelines.sysmon.sysmon import (
    sysmon_generic_logsource_eventid_mapping,
    sysmon_pipeline,
)
from sigma.pipelines.windows.windows import windows_logsource_pipeline
from sigma.processing.conditions import (
    ExcludeFieldCondition,
    LogsourceCondition,
    RuleProcessingCondition,
    RuleProcessingItemAppliedCondition,
)
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import (
    AddFieldnamePrefixTransformation,
    ChangeLogsourceTransformation,
    FieldMappingTransformation,
)
from sigma.processing.transformations.base import ConditionTransformation
from sigma.rule import SigmaDetection, SigmaDetectionItem, SigmaLogSource, SigmaRule

from collectors.parsers.winlog_native import NATIVE_SOURCES, NativeSource

__all__ = [
    "PIPELINE_VERSION",
    "WINDOWS_SYSTEM_FIELDS",
    "FieldsRead",
    "citysoc_pipeline",
    "fields_read",
]

# Bump whenever the mapping changes: compiled rules are cached under this version.
PIPELINE_VERSION = "3"

# The detection a rule of a natively mapped category gets: "the Sysmon event or the native one".
_EITHER_SOURCE = "_citysoc_source"

WINDOWS_SYSTEM_FIELDS: dict[str | None, str | list[str]] = {
    "Channel": "winlog.channel",
    "EventID": "winlog.event_id",
    "Provider_Name": "winlog.provider_name",
    "Computer": "host.name",
    "EventRecordID": "winlog.record_id",
    "Level": "winlog.level",
}

GENERIC_FIELDS: dict[str | None, str | list[str]] = {
    "src_ip": "source.ip",
    "dst_ip": "destination.ip",
    "src_port": "source.port",
    "dst_port": "destination.port",
    "SourceIp": "source.ip",
    "DestinationIp": "destination.ip",
    "DestinationPort": "destination.port",
    "action": "event.outcome",
    "user": "user.name",
    "host": "host.name",
    "hostname": "host.name",
}


@dataclass(frozen=True, slots=True)
class FieldsRead:
    """The fields a rule's condition reads (None for a keyword, which reads the record),
    split by whether they are read under a ``not``."""

    plain: frozenset[str | None]
    negated: frozenset[str | None]


def fields_read(rule: SigmaRule) -> FieldsRead:
    plain: set[str | None] = set()
    negated: set[str | None] = set()

    def walk(node: object, under_not: bool) -> None:
        if isinstance(node, ConditionNOT):
            under_not = not under_not
        if isinstance(node, ConditionFieldEqualsValueExpression | ConditionValueExpression):
            (negated if under_not else plain).add(getattr(node, "field", None))
        for arg in getattr(node, "args", ()):
            walk(arg, under_not)

    for condition in rule.detection.parsed_condition:
        walk(condition.parsed, False)
    return FieldsRead(frozenset(plain), frozenset(negated))


@dataclass
class _FitsNativeSource(RuleProcessingCondition):
    """The rule is of the source's category and the native event can judge it: every field
    read under a ``not`` is one the native event has in Sysmon's spelling (an absent or
    differently spelled value would make the ``not`` true), and some field is given. Fields
    read plainly may be absent or plain-only: that part then just does not match, as on a
    Sysmon event without the field."""

    source: NativeSource

    def match(self, rule: SigmaRule | SigmaCorrelationRule) -> bool:
        if not isinstance(rule, SigmaRule):
            return False
        if rule.logsource not in SigmaLogSource(self.source.category, "windows", None):
            return False
        read = fields_read(rule)
        every = read.plain | read.negated
        given = self.source.fields | self.source.plain_only
        return None not in every and read.negated <= self.source.fields and bool(every & given)


@dataclass
class _EitherSource(ConditionTransformation):
    """Condition becomes ``(Sysmon event or native event) and (...)``; the native branch also
    requires the fields read under a ``not``, which an older Windows may leave out (4688
    before Windows 10 has no parent name)."""

    source: NativeSource

    def apply(self, rule: SigmaRule | SigmaCorrelationRule) -> None:
        if isinstance(rule, SigmaRule):
            negated = sorted(f for f in fields_read(rule).negated if f is not None)
            native: dict[str, object] = {
                "Channel": self.source.channel,
                "EventID": self.source.event_id,
            }
            native |= {name: list(values) for name, values in self.source.where}
            native |= {f"{name}|exists": True for name in negated}
            branches = [SigmaDetection.from_definition(native)]
            sysmon_ids = sysmon_generic_logsource_eventid_mapping.get(self.source.category)
            if sysmon_ids is not None:  # file_access has no Sysmon event
                sysmon = {"Channel": windows_logsource_mapping["sysmon"], "EventID": sysmon_ids}
                branches.insert(0, SigmaDetection.from_definition(sysmon))
            alternatives: list[SigmaDetection | SigmaDetectionItem] = list(branches)
            detection = SigmaDetection(alternatives)  # detections in a list are alternatives
            rule.detection.detections[_EITHER_SOURCE] = detection
            self.processing_item_applied(detection)
        super().apply(rule)

    def apply_condition(self, cond: SigmaCondition) -> None:
        cond.condition = f"{_EITHER_SOURCE} and ({cond.condition})"


def _native_sources_pipeline() -> ProcessingPipeline:
    """Runs before pySigma's sysmon pipeline: a rule it handles leaves its category behind
    (service ``citysoc-native``), so the sysmon pipeline does not add Sysmon-only conditions."""
    items = []
    for source in NATIVE_SOURCES:
        name = f"citysoc_native_{source.category}"
        items += [
            ProcessingItem(
                identifier=name,
                transformation=_EitherSource(source),
                rule_conditions=[_FitsNativeSource(source)],
            ),
            ProcessingItem(
                identifier=f"{name}_logsource",
                transformation=ChangeLogsourceTransformation(
                    product="windows", service="citysoc-native"
                ),
                rule_conditions=[RuleProcessingItemAppliedCondition(name)],
            ),
        ]
    return ProcessingPipeline(name="CitySOC native Windows sources", priority=5, items=items)


def citysoc_pipeline() -> ProcessingPipeline:
    """The pipeline both engines use; ordered after pySigma's log-source pipelines."""
    ours = ProcessingPipeline(
        name="CitySOC field mapping",
        priority=100,
        items=[
            ProcessingItem(
                identifier="citysoc_windows_system_fields",
                transformation=FieldMappingTransformation(WINDOWS_SYSTEM_FIELDS),
                rule_conditions=[LogsourceCondition(product="windows")],
            ),
            ProcessingItem(
                identifier="citysoc_windows_event_data",
                transformation=AddFieldnamePrefixTransformation("winlog.event_data."),
                rule_conditions=[LogsourceCondition(product="windows")],
                field_name_conditions=[
                    ExcludeFieldCondition(fields=[r"^(winlog|host|event)\..*"], mode="re")
                ],
            ),
            ProcessingItem(
                identifier="citysoc_generic_fields",
                transformation=FieldMappingTransformation(GENERIC_FIELDS),
                rule_condition_negation=True,
                rule_conditions=[LogsourceCondition(product="windows")],
            ),
        ],
    )
    combined: ProcessingPipeline = (
        _native_sources_pipeline() + sysmon_pipeline() + windows_logsource_pipeline() + ours
    )
    return combined
