from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "haven.resolution"
    label = "resolution"
