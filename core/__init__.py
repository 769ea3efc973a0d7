"""What every CitySOC package shares: settings, errors, time, agencies, events, storage."""
