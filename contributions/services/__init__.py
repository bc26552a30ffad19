"""Writes on contributions, one module per idea; callers use `services.<function>`."""

from contributions.services.participation import (
    add_comment,
    follow,
    report_abuse,
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
    "follow",
    "report_abuse",
    "save_photo",
    "submit_contribution",
    "unfollow",
    "unvote",
    "upsert_project",
    "vote",
]
