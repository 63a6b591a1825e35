"""Card payments through Stripe Checkout: starting a payment, and Stripe's webhook."""

from django.urls import path

from certification.billing import views_stripe as views

urlpatterns = [
    path(
        "dashboard/organisations/<slug:slug>/billing/orders/<uuid:order_id>/checkout/",
        views.order_checkout,
        name="order_checkout",
    ),
    path("billing/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
