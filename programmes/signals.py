"""Domain events that programmes/ announces; higher apps (reports, cms) react to them."""

from django.dispatch import Signal

# Each is sent with quarterly_return= and by= (the user); return_reopened and return_sent_back add reason=.
return_submitted = Signal()
return_sent_back = Signal()
return_approved = Signal()
return_reopened = Signal()
# Sent with grant= and by= when a grant becomes active and its returns exist.
grant_activated = Signal()
# Sent with grant_id= inside the transaction of every change to a grant's money: its amount, charges, budget or
# profile, a payment, or a return entering or leaving submitted or approved. Read-side summaries refresh on it.
grant_figures_changed = Signal()
