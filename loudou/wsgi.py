import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loudou.settings")
application = get_wsgi_application()

from loudou.core.startup import load_and_freeze  # noqa: E402 (needs the settings above)

load_and_freeze()
