"""``{{ someone|person }}``: the one way a page names a person — full name and current role
(issue 15.5, ``User.name_and_role``). Usernames appear only where one signs in (the sign-in
and account pages); ``tests/site/test_people_by_name.py`` fails on a template that shows one
anywhere else."""

from django import template

register = template.Library()


@register.filter
def person(user, empty: str = "") -> str:
    """The person's full name and role; ``empty`` (e.g. "System") when there is nobody."""
    if user is None or not getattr(user, "pk", None):
        return empty
    return user.name_and_role
