"""Our one processing pipeline: Sigma field names and log sources -> CitySOC's ECS fields.

Windows log sources become Channel/EventID conditions (pySigma's sysmon and
windows-logsources pipelines), so a process-creation rule only ever looks at Sysmon
event 1 in the Sysmon channel. Then the Windows system fields map to ``winlog.*`` and every
other Windows field to ``winlog.event_data.<Name>``, as our parsers store them.
"""

from sigma.pipelines.sysmon.sysmon import sysmon_pipeline
from sigma.pipelines.windows.windows import windows_logsource_pipeline
from sigma.processing.conditions import ExcludeFieldCondition, LogsourceCondition
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import (
    AddFieldnamePrefixTransformation,
    FieldMappingTransformation,
)

__all__ = ["PIPELINE_VERSION", "WINDOWS_SYSTEM_FIELDS", "citysoc_pipeline"]

# Bump whenever the mapping changes: compiled rules are cached under this version.
PIPELINE_VERSION = "2"

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
    combined: ProcessingPipeline = sysmon_pipeline() + windows_logsource_pipeline() + ours
    return combined
