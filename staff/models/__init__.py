"""The staff workspace's models, one module per idea: roles, the audit log, answer templates
and visits (workspace); the evaluation grid, evaluations, meetings and decisions
(evaluations)."""

from staff.models.evaluations import (
    CriterionKind,
    Decision,
    Evaluation,
    EvaluationCriterion,
    Meeting,
    Outcome,
)
from staff.models.workspace import (
    Action,
    AnswerTemplate,
    AuditEntry,
    AuditEntryQuerySet,
    DailyVisit,
    ImmutableError,
    ProjectRole,
    Role,
    Target,
    VisitSalt,
)

__all__ = [
    "Action",
    "AnswerTemplate",
    "AuditEntry",
    "AuditEntryQuerySet",
    "CriterionKind",
    "DailyVisit",
    "Decision",
    "Evaluation",
    "EvaluationCriterion",
    "ImmutableError",
    "Meeting",
    "Outcome",
    "ProjectRole",
    "Role",
    "Target",
    "VisitSalt",
]
