from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from programmes.portal import forms, views

app_name = "portal"


urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(next_page=reverse_lazy("portal:login")), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=forms.PasswordResetForm,
            template_name="portal/password_reset.html",
            email_template_name="portal/email/password_reset.txt",
            subject_template_name="portal/email/password_reset_subject.txt",
            success_url=reverse_lazy("portal:password_reset_sent"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="portal/password_reset_sent.html"),
        name="password_reset_sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="portal/password_set_done.html"),
        name="password_set_done",
    ),
    path("grants/<int:pk>/", views.GrantView.as_view(), name="grant"),
    path("returns/", include("programmes.portal.return_urls")),
    path("users/", include("programmes.portal.user_urls")),
]
