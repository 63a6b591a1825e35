"""The treasurer's pages, under /treasury/: the `treasury:` URLs."""

from django.urls import path

from certification.billing.treasury import views

app_name = "treasury"

ACCOUNT = "treasury/organisations/<slug:slug>/"
INVOICE = "treasury/invoices/<uuid:invoice_id>/"

urlpatterns = [
    path("treasury/", views.overview, name="overview"),
    path("treasury/organisations/", views.organisation_list, name="organisation_list"),
    path(ACCOUNT, views.organisation_detail, name="organisation_detail"),
    path(ACCOUNT + "adjust/", views.adjust_credits, name="adjust_credits"),
    path(ACCOUNT + "allowance/", views.set_allowance, name="set_allowance"),
    path("treasury/invoices/", views.invoice_list, name="invoice_list"),
    path(INVOICE, views.invoice_detail, name="invoice_detail"),
    path(INVOICE + "pdf/", views.invoice_pdf, name="invoice_pdf"),
    path(INVOICE + "payment/", views.record_payment, name="record_payment"),
    path(INVOICE + "credit-note/", views.credit_note, name="credit_note"),
    path("treasury/statements/", views.statement_list, name="statement_list"),
    path("treasury/statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("treasury/exports/<str:kind>.csv", views.export, name="export"),
]
