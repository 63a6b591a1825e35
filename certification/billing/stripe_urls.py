"""Card payments through Stripe Checkout: starting a payment, and Stripe's webhook."""

urlpatterns: list = []
