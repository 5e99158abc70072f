"""The personal dictionary page: the words the spelling check accepts for this user.

Words usually arrive from a spelling warning in the queue (messaging.queue_views.add_word);
here they can be seen, added by hand and removed. Every draft is checked when it is shown,
so a change here counts in all of them at once.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from followup.accounts.dictionary import (
    DICTIONARY_MAX_WORDS,
    DictionaryRefused,
    dictionary_word_add,
    dictionary_word_remove,
)
from followup.accounts.models import DictionaryWord
from followup.rules.checks.spelling import WORD_MAX_LENGTH


@login_required
@require_http_methods(["GET", "POST"])
def dictionary(request: HttpRequest) -> HttpResponse:
    """The user's words, A to Z, with a field to add one."""
    error = ""
    typed = ""
    if request.method == "POST":
        typed = request.POST.get("word", "")
        try:
            entry, created = dictionary_word_add(user=request.user, word=typed)
        except DictionaryRefused as exc:
            error = str(exc)
        else:
            if created:
                messages.success(request, f"Added “{entry.word}” to your dictionary.")
            else:
                messages.info(request, f"“{entry.word}” is already in your dictionary.")
            return redirect("accounts:dictionary")
    words = DictionaryWord.objects.filter(user=request.user).order_by("word")
    return render(
        request,
        "accounts/dictionary.html",
        {
            "words": words,
            "error": error,
            # What was typed comes back with the error, never lost (cut to the field's size).
            "typed": typed[: WORD_MAX_LENGTH * 2],
            "max_length": WORD_MAX_LENGTH,
            "max_words": DICTIONARY_MAX_WORDS,
        },
    )


@login_required
@require_POST
def dictionary_remove(request: HttpRequest) -> HttpResponse:
    """Remove one of the user's words: the spelling check flags it again where it is unknown."""
    word = request.POST.get("word", "")
    if dictionary_word_remove(user=request.user, word=word):
        messages.success(request, f"Removed “{word.strip()}” from your dictionary.")
    else:
        messages.info(request, "That word was not in your dictionary.")
    return redirect("accounts:dictionary")
