"""Incidents under the Cybersecurity Management Act: levels, clocks, workflow, audit."""
