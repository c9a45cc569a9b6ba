"""Background work outside the requests: the worker process (`flask --app wsgi worker`,
worker.py) sends the robots' outbox (app/notices/outbox.py) and runs the periodic jobs
listed in schedule.py, each once per slot of its period."""
