"""How contributions react to what the apps below them announce."""

from contributions.models import Project


def follow_new_perimeter(sender, old, new, **kwargs):
    """A rebuilt perimeter is the project's perimeter from now on; past attributions stay."""
    Project.objects.filter(perimeter=old).update(perimeter=new)
