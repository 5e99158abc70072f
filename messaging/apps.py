from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # Anymail's webhook views send normalised events as signals; store them (receivers.py).
        from messaging import receivers

        receivers.connect()
