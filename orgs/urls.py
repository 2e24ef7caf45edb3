from django.urls import path

from orgs import views

app_name = "orgs"

urlpatterns = [
    path("orgs/", views.OrganizationListView.as_view(), name="organization_list"),
    path("orgs/add/", views.OrganizationEditView.as_view(), name="organization_add"),
    path("orgs/<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("orgs/<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
    path("orgs/<int:pk>/delete/", views.OrganizationDeleteView.as_view(), name="organization_delete"),
    path("orgs/<int:pk>/history/", views.OrganizationHistoryView.as_view(), name="organization_history"),
    path("orgs/<int:pk>/tree/", views.organization_tree, name="organization_tree"),
    path("orgs/<int:pk>/gaps/", views.organization_gaps, name="organization_gaps"),
    path("orgs/<int:org_pk>/positions/add/", views.position_add, name="position_add"),
    path("positions/<int:pk>/delete/", views.PositionDeleteView.as_view(), name="position_delete"),
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/add/", views.MemberEditView.as_view(), name="member_add"),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("members/<int:pk>/delete/", views.MemberDeleteView.as_view(), name="member_delete"),
    path("members/<int:pk>/history/", views.MemberHistoryView.as_view(), name="member_history"),
    path("members/<int:pk>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
    path("members/<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("members/<int:pk>/account/", views.member_account, name="member_account"),
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("transfers/branch/", views.branch_lookup, name="branch_lookup"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/history/", views.TransferHistoryView.as_view(), name="transfer_history"),
    path("transfers/<int:pk>/<str:action>/", views.transfer_action, name="transfer_action"),
    path("grants/", views.RoleGrantListView.as_view(), name="grant_list"),
    path("grants/add/", views.RoleGrantEditView.as_view(), name="grant_add"),
    path("grants/<int:pk>/delete/", views.RoleGrantDeleteView.as_view(), name="grant_delete"),
]
