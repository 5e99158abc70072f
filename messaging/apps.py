from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # Anymail's webhook views send normalised events as signals; store them (receivers.py).
        from messaging import receivers

        receivers.connect()
        # Registers the own-mailbox tasks with the worker (Celery discovers `tasks` only).
        from messaging import mailbox_tasks  # noqa: F401
