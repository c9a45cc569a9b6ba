"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from app import create_app
from app.warm import prepare

app = create_app()
prepare(app)  # templates compiled, the start-up heap out of the garbage collector's way
