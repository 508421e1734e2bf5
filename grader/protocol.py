"""What the parent and the grading child agree on (kept free of heavy imports)."""

EVENT_FD_ENV = "GRADER_EVENT_FD"
# The trace file starts with the label of the step being run, padded to this size.
LABEL_BYTES = 512
# After one check hung, later checks of the same run get this much wall time at
# most: the app has shown it blocks, and a correct check needs milliseconds.
AFTER_HANG_SECONDS = 1.0
