from django.urls import path

from interviews import views

app_name = "interviews"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("interviews/log/", views.interview_log, name="log"),
]
