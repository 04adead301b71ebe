from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """The family's own scores over its support (Home-Start's outcome measure): at the start,
    at each review and at the end; the journey on the family file; the figures trustees see
    are reporting's (§3.2, §8.9), computed from the plain scores without opening a file."""

    name = "outcomes"
    verbose_name = "Outcomes"
