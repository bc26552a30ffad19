from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "contributions"

    def ready(self):
        # Receivers use the models, which are not loaded before ready().
        from contributions.receivers import follow_new_perimeter
        from territories.signals import territory_superseded

        territory_superseded.connect(follow_new_perimeter, dispatch_uid="projects-follow-perimeter")
