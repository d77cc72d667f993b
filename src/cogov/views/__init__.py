"""Read models: the views people work from (五共 status, 三张清单, 三率, the meeting register,
the monthly schedule) as plain SQL tables (``view_*``) in the store's own database, kept
exactly once by :class:`ViewRunner`. See docs/views.md."""

from cogov.views.runner import ViewRunner

__all__ = ["ViewRunner"]
