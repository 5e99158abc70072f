from django.urls import path

from followup.web import contacts, decision_dates, insights, invitations, note_previews, tasks
from followup.web import interviews as views

app_name = "interviews"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/pipeline.svg", insights.pipeline_chart, name="pipeline_chart"),
    path("search/", insights.search, name="search"),
    path("interviews/log/", views.interview_log, name="log"),
    path("interviews/import/", invitations.invitation_import, name="invitation_import"),
    path(
        "interviews/decision-date/",
        decision_dates.decision_date_preview,
        name="decision_date_preview",
    ),
    path("interviews/note-preview/", note_previews.note_preview_view, name="note_preview"),
    path("interviews/<int:pk>/edit/", views.interview_edit, name="interview_edit"),
    path("interviews/<int:pk>/delete/", views.interview_delete, name="interview_delete"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/delete/", views.application_delete, name="application_delete"),
    path("contacts/", contacts.contact_list, name="contacts"),
    path("contacts/all.vcf", contacts.contacts_vcard_all, name="contacts_vcard"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact"),
    path("contacts/<int:pk>/vcard/", contacts.contact_vcard, name="contact_vcard"),
    path("contacts/<int:pk>/merge/", contacts.contact_merge, name="contact_merge"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/add/", tasks.task_add, name="task_add"),
    path("tasks/<int:pk>/done/", tasks.task_done, name="task_done"),
    path("tasks/<int:pk>/skip/", tasks.task_skip, name="task_skip"),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen, name="task_reopen"),
    path("companies/", views.company_list, name="companies"),
    path("companies/<int:pk>/", views.company_detail, name="company"),
    path("companies/<int:pk>/rename/", views.company_rename, name="company_rename"),
]
