"""Every way data comes in: listeners and file readers, normalizing into one Event."""
