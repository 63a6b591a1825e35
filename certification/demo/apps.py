from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`. It sits below every other app and may import them all."""

    name = "certification.demo"
    label = "demo"
    verbose_name = "Demo data"
