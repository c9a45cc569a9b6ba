"""我的工作台: the home page, built from the blocks every part registers."""
from flask import Flask

from app.main import routes
from app.parts import NavEntry, Part, add


def bench_pages() -> list[tuple[str, str]]:
    return [("home", "/")]


def register(app: Flask) -> None:
    add(app, Part("main", blueprint=routes.bp, bench_pages=bench_pages,
                  nav=(NavEntry("工作台", "main.index", order=10, active=("main.",)),)))
