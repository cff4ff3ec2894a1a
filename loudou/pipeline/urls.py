from django.urls import path

from loudou.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("leads/<id:pk>/move/", views.move, name="move"),
    path("leads/<id:pk>/opportunity/", views.opportunity, name="opportunity"),
]
