from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "haven.triage"
    label = "triage"
