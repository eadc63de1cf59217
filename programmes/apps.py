from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes"

    def ready(self):
        from funding.signals import user_invited
        from programmes import notifications, signals

        # E-mail is how the workflow's events reach people (DESIGN.md: the service holds the rule, the
        # receiver the side effect).
        receivers = {
            signals.return_submitted: notifications.on_return_submitted,
            signals.return_sent_back: notifications.on_return_sent_back,
            signals.return_approved: notifications.on_return_approved,
            signals.return_reopened: notifications.on_return_reopened,
            user_invited: notifications.on_user_invited,
        }
        for signal, receiver in receivers.items():
            signal.connect(receiver, dispatch_uid=f"programmes.notifications.{receiver.__name__}")
