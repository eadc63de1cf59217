"""URLs where a provider approver manages the organisation's users."""

from django.urls import path

from programmes.portal import users

urlpatterns = [
    path("", users.UserListView.as_view(), name="users"),
    path("invite/", users.UserInviteView.as_view(), name="user_invite"),
    path("<int:pk>/", users.UserDetailView.as_view(), name="user"),
    path("<int:pk>/deactivate/", users.UserDeactivateView.as_view(), name="user_deactivate"),
    path("<int:pk>/reactivate/", users.UserReactivateView.as_view(), name="user_reactivate"),
    path("<int:pk>/resend-invitation/", users.UserResendInvitationView.as_view(), name="user_resend_invitation"),
]
