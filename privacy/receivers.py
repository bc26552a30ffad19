"""Privacy's side of the contributions app's signals (contributions/signals.py): the opt-in
profile answers given with a submission are recorded here, so contributions never imports
privacy. Connected in PrivacyConfig.ready()."""

from privacy import services


def record_submitted_profile(sender, contribution, profile, **kwargs):
    """Inside the submission's transaction: a DomainError for an invalid answer rolls the
    whole submission back."""
    services.record_profile(
        contribution=contribution,
        age_bracket=profile.get("age_bracket", ""),
        residence=profile.get("residence", ""),
    )
