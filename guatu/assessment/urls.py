from django.urls import path

from guatu.assessment.views import (
    appeals,
    benchmark,
    checklist,
    headline,
    indicators,
    items,
    results,
    schemes,
    unit_benchmarks,
    values,
)

app_name = "assessment"
urlpatterns = [
    path("", indicators.home, name="home"),
    path("indicators/", indicators.indicator_list, name="indicator_list"),
    path("indicators/new/", indicators.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", indicators.indicator_edit, name="indicator_edit"),
    path("schemes/", schemes.scheme_list, name="scheme_list"),
    path("schemes/new/", schemes.scheme_create, name="scheme_create"),
    path("schemes/import/", schemes.scheme_import, name="scheme_import"),
    path("schemes/<int:pk>/", schemes.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", schemes.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/go/", schemes.scheme_go, name="scheme_go"),
    path("schemes/<int:pk>/export/", schemes.scheme_export, name="scheme_export"),
    path("schemes/<int:pk>/indicators/add/", schemes.scheme_indicator, name="scheme_indicator_add"),
    path("schemes/<int:pk>/indicators/<slug:code>/", schemes.scheme_indicator, name="scheme_indicator"),
    path(
        "schemes/<int:pk>/indicators/<slug:code>/remove/",
        schemes.scheme_indicator_remove,
        name="scheme_indicator_remove",
    ),
    path("schemes/<int:pk>/<str:period>/items/", items.items, name="items"),
    path("schemes/<int:pk>/<str:period>/results/", results.results, name="results"),
    path("schemes/<int:pk>/<str:period>/compute/", results.results_compute, name="compute"),
    path("schemes/<int:pk>/<str:period>/publish/", results.results_publish, name="publish"),
    path("schemes/<int:pk>/<str:period>/republish/", results.results_republish, name="republish"),
    path("schemes/<int:pk>/<str:period>/results/v<int:revision>/", results.results, name="results_version"),
    path(
        "schemes/<int:pk>/<str:period>/results/v<int:revision>/card/<int:unit_pk>/",
        results.card,
        name="card_version",
    ),
    path("schemes/<int:pk>/<str:period>/card/<int:unit_pk>/", results.card, name="card"),
    path(
        "schemes/<int:pk>/<str:period>/card/<int:unit_pk>/appeal/", appeals.appeal_raise, name="appeal_raise"
    ),
    path("values/", values.value_index, name="value_index"),
    path("values/<int:indicator_pk>/<str:period>/", values.value_grid, name="value_grid"),
    path("value/<int:pk>/", values.value_detail, name="value_detail"),
    path("value/<int:pk>/submit/", values.value_submit, name="value_submit"),
    path("value/<int:pk>/approve/", values.value_approve, name="value_approve"),
    path("value/<int:pk>/return/", values.value_return, name="value_return"),
    path("value/<int:pk>/unlock/", values.value_unlock, name="value_unlock"),
    path("value/<int:pk>/evidence/", values.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", values.evidence_download, name="evidence_download"),
    path("review/", values.review_queue, name="review_queue"),
    path("appeals/", appeals.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/answer/", appeals.appeal_answer, name="appeal_answer"),
    path("checklist/", checklist.checklist_page, name="checklist"),
    path("benchmarks/", benchmark.benchmark_page, name="benchmarks"),
    path("benchmarks/units/", unit_benchmarks.unit_benchmarks_latest, name="unit_benchmarks_latest"),
    path(
        "benchmarks/units/<int:pk>/<str:period>/", unit_benchmarks.unit_benchmarks_page, name="unit_benchmarks"
    ),
    path("headline/", headline.headline_page, name="headline"),
]
