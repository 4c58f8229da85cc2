"""The unread-notifications count in the header of every page."""

from functools import cache

from qorgau.orders import selectors


def unread_notifications(request):
    """One COUNT query, and only when a page actually shows the count (never for anonymous visitors).

    The template engine calls the function when it first needs the value; `cache` keeps the answer for the
    rest of the page.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: selectors.unread_count(user=user))}
