"""Pure parsers: one record in, an Event out, or RecordParseError saying why not."""
