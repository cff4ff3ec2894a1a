from django.urls import path
from django.views.generic import TemplateView

app_name = "pipeline"
urlpatterns = [
    path("board/", TemplateView.as_view(template_name="pipeline/board.html"), name="board")
]
