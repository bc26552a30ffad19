from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "contributions"

    def ready(self):
        from territories.signals import territory_superseded

        territory_superseded.connect(follow_new_perimeter, dispatch_uid="projects-follow-perimeter")


def follow_new_perimeter(sender, old, new, **kwargs):
    """A rebuilt perimeter is the project's perimeter from now on; past attributions stay."""
    from contributions.models import Project

    Project.objects.filter(perimeter=old).update(perimeter=new)
