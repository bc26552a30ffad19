"""The domain's vocabulary and the rules stated in it: kinds, statuses, channels, location
precisions, what the public sees, what counts as answered, the photo limit. Defined here
once; models, selectors, SQL fast paths, pages and the map script (through its JSON
settings) read them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    REPORT = "report", _("report of a problem")
    OBSERVATION = "observation", _("observation")


# The sign each kind wears on the map and in lists (beside its colour, never instead of it).
KIND_GLYPHS = {Kind.PROPOSAL: "+", Kind.REPORT: "!", Kind.OBSERVATION: "i"}


class LocationPrecision(models.TextChoices):
    # Exact: the person tapped, dragged or drew the place. Approximate: staff entered it for
    # someone who could only say "around here". Commune: only the commune is known, so the
    # point is the commune's PointOnSurface and says nothing about where within it.
    EXACT = "exact", _("exact")
    APPROXIMATE = "approximate", _("approximate")
    COMMUNE = "commune", _("commune only")


# The precisions a density raster or a hotspot may use: a commune-only point would pile every
# such contribution onto one spot per commune and invent a concentration there.
DENSITY_PRECISIONS = (LocationPrecision.EXACT, LocationPrecision.APPROXIMATE)


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEGATIVE = "negative", _("negative")


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    WORKSHOP = "workshop", _("workshop")
    PAPER = "paper", _("paper")
    PHONE = "phone", _("phone")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted, awaiting moderation")
    PUBLISHED = "published", _("published")
    UNDER_REVIEW = "under_review", _("under review")
    ACCEPTED = "accepted", _("accepted")
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    REJECTED = "rejected", _("rejected")
    DUPLICATE = "duplicate", _("duplicate")
    HIDDEN = "hidden", _("hidden")


# What the public may see: everything moderation has let through.
PUBLIC_STATUSES = [s for s in Status.values if s not in (Status.SUBMITTED, Status.HIDDEN)]

# The statuses an official answer may set ("under review" tells the resident it is read).
ANSWER_STATUSES = [
    Status.UNDER_REVIEW,
    Status.ACCEPTED,
    Status.PLANNED,
    Status.DONE,
    Status.REJECTED,
]
# Statuses that are themselves a decision, so a contribution holding one counts as answered
# even without a written answer (an import, a bulk decision).
DECISION_STATUSES = [Status.ACCEPTED, Status.PLANNED, Status.DONE, Status.REJECTED]

# The column every public output reads for the location: the exact `geom` generalised by the
# project's location rules, kept by the database (docs/privacy.md). The exact `geom` is for
# staff.
PUBLIC_GEOM = "public_geom"


def answered_sql(alias: str = "c") -> tuple[str, list]:
    """ "Answered" for raw SQL over contributions_contribution AS `alias`: the same rule as
    ContributionQuerySet.answered(), as a condition and its parameters."""
    return (
        f"({alias}.answered_at IS NOT NULL OR {alias}.status = ANY(%s))",
        [[str(status) for status in DECISION_STATUSES]],
    )


class ModerationMode(models.TextChoices):
    BEFORE = "before", _("before publication")
    AFTER = "after", _("after publication")


class ParticipationLevel(models.TextChoices):
    INFORM = "inform", _("inform")
    CONSULT = "consult", _("consult")
    INVOLVE = "involve", _("involve")
    COLLABORATE = "collaborate", _("collaborate")
    EMPOWER = "empower", _("empower")


class CommentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted, awaiting moderation")
    PUBLISHED = "published", _("published")
    HIDDEN = "hidden", _("hidden")


# The most photos one contribution carries: the API, the service and the page agree.
MAX_PHOTOS = 3

# The longest texts a resident writes, as the models' max_length: every service checks them
# (core.errors.validated, which checks a TextField's too), and the API's serializers, the
# staff forms and the pages' maxlength read them here.
TITLE_MAX_LENGTH = 140
DESCRIPTION_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 3000
REPORT_REASON_MAX_LENGTH = 1000


class ResultStatus(models.TextChoices):
    """Where a result ("you said, we did") stands. "Done" is 100% progress: the service sets
    it and the database checks it (constraint result_done_is_complete)."""

    # A context of their own: a result's gender is not a contribution's ("programmé",
    # "programmée").
    STUDIED = "studied", pgettext_lazy("result status", "being studied")
    PLANNED = "planned", pgettext_lazy("result status", "planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("result status", "in progress")
    DONE = "done", pgettext_lazy("result status", "done")
    ABANDONED = "abandoned", pgettext_lazy("result status", "abandoned")


# The longest title and text of a result, per language (services and forms check them).
RESULT_TITLE_MAX_LENGTH = 200
RESULT_TEXT_MAX_LENGTH = 5000
