"""Views of the messaging app (placeholders until the engine lands)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def outbox(request):
    return render(request, "base.html")
