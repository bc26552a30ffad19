"""The public pages: the project list, a project's map, its list view, a contribution."""

from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "mapping/home.html"


class ProjectView(TemplateView):
    template_name = "mapping/home.html"


class ProjectListView(TemplateView):
    template_name = "mapping/home.html"


class ContributionView(TemplateView):
    template_name = "mapping/home.html"
