from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # Anymail's webhook views send normalised events as signals; store them (webhooks.py).
        from messaging import webhooks

        webhooks.connect()
