"""The library's pages, by family: the list, a project's page and the export (library), editing a project and
its "five ones" (edit), its milestones and annual plans (schedule), the list of level tags (tags)."""
