import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# What is loaded at start (Django, the apps, the URL patterns, the templates read so far) lives as long as the
# process: moved out of the cycle collector's way, and a young collection after 50,000 new objects rather than
# 2,000. A page makes tens of thousands of objects and almost no cycles; the collections found little to free
# and took some 5-10% of a page's CPU (issue 13, measured on the roster list, admin list and edit page).
gc.freeze()
gc.set_threshold(50_000, 50, 100)
