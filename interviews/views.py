"""Views of the interviews app (placeholders until the UI lands)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    return render(request, "base.html")


@login_required
def interview_log(request):
    return render(request, "base.html")
