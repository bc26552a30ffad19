"""Signals other apps listen to, so territories need not know who refers to them."""

from django.dispatch import Signal

# Sent with `old` and `new` when a new boundary generation replaces a current territory.
territory_superseded = Signal()
