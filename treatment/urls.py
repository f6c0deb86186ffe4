from django.urls import path

from treatment import views, views_handouts, views_letters

app_name = "treatment"

P = "patients/<uuid:patient_id>/treatment/"

urlpatterns = [
    path(P, views.overview, name="overview"),
    path(f"{P}section/", views.section, name="section"),
    path(f"{P}episodes/<int:episode_id>/plan/", views.plan_edit, name="plan_edit"),
    path(f"{P}episodes/<int:episode_id>/plan/history/", views.plan_history, name="plan_history"),
    path(
        f"{P}episodes/<int:episode_id>/suggestions/",
        views.suggestion_decide,
        name="suggestion_decide",
    ),
    path(f"{P}goals/new/", views.goal_add, name="goal_add"),
    path(f"{P}goals/<int:goal_id>/", views.goal_detail, name="goal_detail"),
    path(f"{P}goals/<int:goal_id>/reviews/", views.goal_review, name="goal_review"),
    path(f"{P}goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path(f"{P}goals/<int:goal_id>/retire/", views.goal_retire, name="goal_retire"),
    path(f"{P}reviews/<int:review_id>/amend/", views.review_amend, name="review_amend"),
    path(f"{P}goals/gas.svg", views.gas_chart, name="gas_chart"),
    path(f"{P}exposure/", views.hierarchy, name="hierarchy"),
    path(
        f"{P}exposure/items/<int:item_id>/sessions/new/",
        views.exposure_session_add,
        name="exposure_session_add",
    ),
    path(
        f"{P}exposure/experiments/<int:experiment_id>/outcome/",
        views.exposure_outcome,
        name="exposure_outcome",
    ),
    path(f"{P}exposure/items/<int:item_id>/sced/", views.item_sced, name="item_sced"),
    path(f"{P}exposure/items/<int:item_id>/move/", views.item_move, name="item_move"),
    path(f"{P}exposure/items/<int:item_id>/retire/", views.item_retire, name="item_retire"),
    path(f"{P}exposure/sessions.svg", views.exposure_chart, name="exposure_chart"),
    path(f"{P}exposure/hierarchy.svg", views.hierarchy_chart, name="hierarchy_chart"),
    path(f"{P}pacing/", views.pacing_list, name="pacing_list"),
    path(f"{P}pacing/<int:pacing_id>/", views.pacing_detail, name="pacing_detail"),
    path(f"{P}pacing/<int:pacing_id>/log/", views.pacing_log, name="pacing_log"),
    path(f"{P}pacing/<int:pacing_id>/change/", views.pacing_change, name="pacing_change"),
    path(f"{P}pacing/<int:pacing_id>/chart.svg", views.pacing_chart, name="pacing_chart"),
    path(f"{P}flare-up/", views.flare_up, name="flare_up"),
    path(f"{P}flare-up/print/", views.flare_up_print, name="flare_up_print"),
    path(f"{P}flare-up/print.pdf", views.flare_up_pdf, name="flare_up_pdf"),
    # The patient's own documents (issue #14): the summary and the handout.
    path(f"{P}summary/", views_handouts.summary, name="summary"),
    path(f"{P}summary.pdf", views_handouts.summary_pdf, name="summary_pdf"),
    path(f"{P}handout/", views_handouts.handout, name="handout"),
    path(f"{P}handout.pdf", views_handouts.handout_pdf, name="handout_pdf"),
    # The summary as clinicians read it (the formulation, goal scores, the exposure chart).
    path(f"{P}clinician-summary/", views.clinician_summary, name="clinician_summary"),
    path(f"{P}clinician-summary.pdf", views.clinician_summary_pdf, name="clinician_summary_pdf"),
    path(f"{P}letter/", views_letters.gp_letter, name="gp_letter"),
    path(f"{P}letter.pdf", views_letters.gp_letter_pdf, name="gp_letter_pdf"),
    path(
        f"{P}episodes/<int:discharged_episode_id>/discharge-letter/",
        views_letters.discharge_letter,
        name="discharge_letter",
    ),
    path(
        f"{P}episodes/<int:discharged_episode_id>/discharge-letter.pdf",
        views_letters.discharge_letter_pdf,
        name="discharge_letter_pdf",
    ),
    path(
        f"{P}programmes/<int:participant_id>/letter/",
        views_letters.pmp_letter,
        name="pmp_letter",
    ),
    path(
        f"{P}programmes/<int:participant_id>/letter.pdf",
        views_letters.pmp_letter_pdf,
        name="pmp_letter_pdf",
    ),
]
