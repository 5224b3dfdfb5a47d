"""Pure statistics (numpy/scipy): agreement, timed-event agreement, effect sizes.

Nothing here knows about the Strange Situation; functions take arrays and
return frozen dataclasses.
"""
