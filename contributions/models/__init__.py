"""The contributions app's models, one module per idea. The vocabulary they speak (kinds,
statuses, what the public sees, what counts as answered) is contributions.vocabulary,
re-exported here for the models' callers."""

from contributions.models.contributions import Contribution, ContributionQuerySet, Photo
from contributions.models.participation import (
    AbuseReport,
    Comment,
    Follow,
    StatusChange,
    Vote,
)
from contributions.models.projects import Project, ProjectQuerySet, Theme
from contributions.models.records import IdempotencyRecord, LocationKey
from contributions.vocabulary import (
    ANSWER_STATUSES,
    DECISION_STATUSES,
    DENSITY_PRECISIONS,
    KIND_GLYPHS,
    MAX_PHOTOS,
    PUBLIC_GEOM,
    PUBLIC_STATUSES,
    Channel,
    CommentStatus,
    Kind,
    LocationPrecision,
    ModerationMode,
    ParticipationLevel,
    Sentiment,
    Status,
    answered_sql,
)

__all__ = [
    "ANSWER_STATUSES",
    "DECISION_STATUSES",
    "DENSITY_PRECISIONS",
    "KIND_GLYPHS",
    "MAX_PHOTOS",
    "PUBLIC_GEOM",
    "PUBLIC_STATUSES",
    "AbuseReport",
    "Channel",
    "Comment",
    "CommentStatus",
    "Contribution",
    "ContributionQuerySet",
    "Follow",
    "IdempotencyRecord",
    "Kind",
    "LocationKey",
    "LocationPrecision",
    "ModerationMode",
    "ParticipationLevel",
    "Photo",
    "Project",
    "ProjectQuerySet",
    "Sentiment",
    "Status",
    "StatusChange",
    "Theme",
    "Vote",
    "answered_sql",
]
