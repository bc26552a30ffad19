"""WSGI entry point; production settings unless DJANGO_SETTINGS_MODULE says otherwise."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapping.settings.production")

application = get_wsgi_application()

# What start-up loaded (Django, the apps, their libraries) lives as long as the worker: kept
# out of the garbage collector's full passes, which would otherwise walk it again and again
# and show up as pauses of tens of milliseconds in the slowest requests.
gc.freeze()
