"""Writes on contributions, one module per idea; callers use `services.<function>`."""

from contributions.services.participation import (
    add_comment,
    confirm_follow,
    follow,
    follow_own_contribution,
    report_abuse,
    request_email_vote,
    unfollow,
    unvote,
    vote,
)
from contributions.services.projects import upsert_project
from contributions.services.submission import (
    Submission,
    check_geometry,
    check_submission,
    save_photo,
    submit_contribution,
)

__all__ = [
    "Submission",
    "add_comment",
    "check_geometry",
    "check_submission",
    "confirm_follow",
    "follow",
    "follow_own_contribution",
    "report_abuse",
    "request_email_vote",
    "save_photo",
    "submit_contribution",
    "unfollow",
    "unvote",
    "upsert_project",
    "vote",
]
