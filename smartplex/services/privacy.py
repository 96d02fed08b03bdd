"""The rule for showing anything about other people on a server."""

PRIVACY_FLOOR = 3
"""Distinct people that must stand behind any server-wide figure or signal (trending, 'liked by',
'popular with people who like X'); below it the figure is hidden, so no one's viewing is revealed."""
