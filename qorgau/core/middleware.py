from django.shortcuts import render

from qorgau.core.errors import InvalidTransition, NotAllowed


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
