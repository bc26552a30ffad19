"""Who takes part: one identity for votes, comments and follows, signed in or not.

A participant is "user:<id>" for a signed-in person, or "anon:<session key>" for a browser
session where the project allows anonymous participation; one vote per participant.
"""

USER_PREFIX = "user:"
ANONYMOUS_PREFIX = "anon:"


def user_participant(user) -> str:
    """The participant a signed-in person is, wherever they take part."""
    return f"{USER_PREFIX}{user.pk}"


def participant_of(request, project) -> str | None:
    """The request's participant in this project, or None when it must sign in first."""
    if request.user.is_authenticated:
        return user_participant(request.user)
    if not project.allow_anonymous:
        return None
    session = request.session
    if not session.session_key:
        session.save()
    return f"{ANONYMOUS_PREFIX}{session.session_key}"
