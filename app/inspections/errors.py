"""The one error the inspection rules raise."""


class Refused(ValueError):
    """A change the rules refuse: `message` in Chinese, `field` the form field it belongs
    beside, `items` the keys of the items it names, `status` the HTTP status."""

    def __init__(self, message: str, field: str | None = None, status: int = 422, items: list[str] | None = None):
        super().__init__(message)
        self.field, self.status, self.items = field, status, items or []
