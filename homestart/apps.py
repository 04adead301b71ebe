from django.apps import AppConfig


class HomestartConfig(AppConfig):
    name = "homestart"
    verbose_name = "People and schemes"
