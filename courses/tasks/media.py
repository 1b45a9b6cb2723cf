"""Media tasks (queue: media): probing and transcoding."""
