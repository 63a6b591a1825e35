"""The treasurer's pages, under /treasury/."""

from django.urls import path

from certification.billing import views

ACCOUNT = "treasury/organisations/<slug:slug>/"
INVOICE = "treasury/invoices/<uuid:invoice_id>/"

urlpatterns = [
    path("treasury/", views.treasury, name="treasury"),
    path("treasury/organisations/", views.treasury_organisations, name="treasury_organisations"),
    path(ACCOUNT, views.treasury_organisation, name="treasury_organisation"),
    path(ACCOUNT + "adjust/", views.treasury_adjust_credits, name="treasury_adjust_credits"),
    path(ACCOUNT + "allowance/", views.treasury_set_allowance, name="treasury_set_allowance"),
    path("treasury/invoices/", views.treasury_invoices, name="treasury_invoices"),
    path(INVOICE, views.treasury_invoice, name="treasury_invoice"),
    path(INVOICE + "pdf/", views.treasury_invoice_pdf, name="treasury_invoice_pdf"),
    path(INVOICE + "payment/", views.treasury_invoice_payment, name="treasury_invoice_payment"),
    path(INVOICE + "credit-note/", views.treasury_credit_note, name="treasury_credit_note"),
    path("treasury/statements/", views.treasury_statements, name="treasury_statements"),
    path("treasury/statements/<int:pk>/", views.treasury_statement, name="treasury_statement"),
    path("treasury/exports/<str:kind>.csv", views.treasury_export, name="treasury_export"),
]
