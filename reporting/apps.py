from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Anonymised statistics, case studies, board minutes and safeguarding consultations
    (§3.2–§3.7, §7.5, §8.9). DESIGN.md places these in records/; they live in their own
    app so that their migrations never clash with the volunteer and personnel files."""

    name = "reporting"
    verbose_name = "Reporting to trustees and funders"
