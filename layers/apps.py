from django.apps import AppConfig

from contributions.signals import contributions_bulk_insert_started, contributions_bulk_inserted


class LayersConfig(AppConfig):
    name = "layers"

    def ready(self):
        # Receivers use the models, which are not loaded before ready().
        from contributions.selectors import register_public_counter
        from layers import receivers
        from layers.selectors import public_count

        # The API's list counts its matches from the running per-cell counts when it can.
        register_public_counter(public_count)

        contributions_bulk_insert_started.connect(
            receivers.defer_counts, dispatch_uid="layers-defer-counts"
        )
        contributions_bulk_inserted.connect(
            receivers.count_bulk_insert, dispatch_uid="layers-count-bulk-insert"
        )
