from django.apps import AppConfig
from django.core import checks


class CommonConfig(AppConfig):
    name = "haven.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from haven.common.deploy_checks import deploy_check

        checks.register(deploy_check, checks.Tags.security, deploy=True)
