import time

from django.conf import settings
from django.shortcuts import render

from qorgau.core.errors import InvalidTransition, NotAllowed

# No inline script or style anywhere: every script and stylesheet is a file under /static/, so an injected
# <script> or style="" does nothing. img-src also allows data: and blob: so that a photo picked on the phone
# can be previewed before it is uploaded (blob:) and small icons can live in the CSS (data:); neither can run
# code as an image. frame-ancestors repeats X-Frame-Options for browsers that only read CSP.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy header with every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class DomainErrorMiddleware:
    """Pages: a domain error raised by a service becomes the matching HTTP answer, in this one place."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed):
            return render(request, "403.html", {"reason": str(exception)}, status=403)
        if isinstance(exception, InvalidTransition):
            return render(request, "409.html", {"reason": str(exception)}, status=409)
        return None


class SlidingSessionMiddleware:
    """Keep a used session alive without rewriting it on every request.

    A session ends after SESSION_COOKIE_AGE seconds without a request. Saving it on every request would move
    its expiry on but costs a write (and a transaction) per page; instead the session is saved again when
    SESSION_REFRESH_SECONDS have passed since it was last saved, so the idle limit holds to within that
    margin. Anonymous visitors without a session get none."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session that holds something (a signed-in user, an import in progress) is kept alive; a stale
        # cookie of an ended session loads as empty and must not bring a new one into being.
        if session is None or not session.keys() - {self.KEY}:
            return response
        now = int(time.time())
        if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[self.KEY] = now  # marks the session modified: the session middleware saves it
        return response
