"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
import gc

from app import create_app

app = create_app()

# Everything created at start-up (modules, SQLAlchemy and Jinja machinery, about 150,000
# objects) lives as long as the process: move it out of the cyclic garbage collector's
# reach, so each collection during a request walks only that request's objects.
gc.freeze()
