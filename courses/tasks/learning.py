"""Learning tasks (queue: default): progress flushes, learner emails."""
