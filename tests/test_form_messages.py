"""WTForms' own messages, in Chinese like every message the app writes itself."""


def test_wtforms_own_messages_are_chinese(app, admin_client):
    """A value outside a select's choices (a stale page, a hand-made request) is refused in
    Chinese, as every message the app writes itself."""
    r = admin_client.post_form("/staff/new", {"employee_no": "N9", "name": "新人", "position_id": "987654",
                                              "active": "y"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "不是有效的选择" in html and "Not a valid choice" not in html
