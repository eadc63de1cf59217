"""Domain events that funding/ announces; higher apps react to them."""

from django.dispatch import Signal

# Sent with user= and invited_by= inside the service's transaction when a user is invited (or invited again):
# the portal e-mails them a link to set their password.
user_invited = Signal()
