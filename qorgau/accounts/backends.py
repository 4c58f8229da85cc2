from django.contrib.auth.backends import ModelBackend

from qorgau.accounts.models import User


class ScopedModelBackend(ModelBackend):
    """Loads the user with the organisation the scoping layer needs, in the same query."""

    def get_user(self, user_id):
        try:
            user = User.objects.select_related("organisation__school").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
