"""Small hand-made events for tests."""


def winlogbeat(
    channel: str,
    event_id: int,
    data: dict[str, object],
    *,
    host: str = "D-XITUN-FS01",
    at: str = "2026-03-02T01:00:00Z",
) -> dict[str, object]:
    return {
        "@timestamp": at,
        "host": {"name": host},
        "winlog": {
            "channel": channel,
            "event_id": str(event_id),
            "computer_name": host,
            "event_data": data,
        },
    }
