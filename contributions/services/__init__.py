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
from contributions.services.partner_projects import (
    add_partner_photo,
    cast_partner_vote,
    close_partner_vote,
    delete_partner_photo,
    open_partner_vote,
    publish_partner_project,
    record_paper_votes,
    save_partner_project,
    set_outcome,
    withdraw_partner_vote,
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
    "withdraw_partner_vote",
    "set_outcome",
    "save_partner_project",
    "record_paper_votes",
    "publish_partner_project",
    "open_partner_vote",
    "delete_partner_photo",
    "close_partner_vote",
    "cast_partner_vote",
    "add_partner_photo",
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
