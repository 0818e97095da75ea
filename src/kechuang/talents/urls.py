from typing import Any

from django.urls import path  # noqa: F401

app_name = "talents"

urlpatterns: list[Any] = []
