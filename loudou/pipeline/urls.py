from django.urls import path

from loudou.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("leads/<int:pk>/move/", views.move, name="move"),
    path("leads/<int:pk>/opportunity/", views.opportunity, name="opportunity"),
]
