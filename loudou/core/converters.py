"""URL converters. Record ids in paths are `<id:pk>` (pages) and `{id:lead_id}` (API).

Django's `int` takes any run of digits, and a 30-digit id overflows the database's
integer (a 500 on SQLite and PostgreSQL alike). `id` takes 1 to 18 digits, which every
BIGINT holds; a longer one matches no route: 404, like any id that does not exist."""

from django.urls import register_converter
from django.urls.converters import IntConverter


class IdConverter(IntConverter):
    regex = "[0-9]{1,18}"


def register() -> None:
    register_converter(IdConverter, "id")
