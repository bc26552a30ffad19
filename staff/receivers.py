"""What the staff app does when contributions or accounts announce something: mark the visit
that led to it (staff/visits.py). Connected in StaffConfig.ready()."""

from staff import visits


def mark_contributing_visit(sender, contribution, request=None, **kwargs):
    # Only a resident's own submission from a browser converts a visit: commands, Open311 and
    # staff entering a contribution on someone's behalf send no request, or are not theirs.
    if request is None or contribution.recorded_by_id is not None:
        return
    visits.mark_contributed(request, contribution.project)


def mark_signed_up_visits(sender, request, user, **kwargs):
    visits.mark_signed_up(request)
