"""Factories for test data. Values are test values, not catalogue facts."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from collection.models import (
    Agent,
    AgentKind,
    AgentName,
    AgentRole,
    Language,
    Place,
    PlaceKind,
    PlaceName,
    Record,
    RecordAgent,
    RecordKind,
    Status,
    Subject,
    SubjectLabel,
    Title,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Record
        skip_postgeneration_save = True

    kind = RecordKind.DOCUMENT
    status = Status.PUBLISHED

    @factory.post_generation
    def title(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Title.objects.create(record=self, language=kwargs.get("language", "en"),
                                 text=extracted or f"Test record {self.pk}")


class TitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Title

    record = factory.SubFactory(RecordFactory, title=False)
    language = "en"
    text = factory.Sequence(lambda n: f"Title {n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent
        skip_postgeneration_save = True

    kind = AgentKind.PERSON

    @factory.post_generation
    def name(self, create, extracted, **kwargs):
        if create:
            AgentName.objects.create(agent=self, language=kwargs.get("language", "en"),
                                     text=extracted or f"Agent {self.pk}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        skip_postgeneration_save = True

    kind = PlaceKind.CITY

    @factory.post_generation
    def name(self, create, extracted, **kwargs):
        if create:
            PlaceName.objects.create(place=self, language=kwargs.get("language", "en"),
                                     text=extracted or f"Place {self.pk}")


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        skip_postgeneration_save = True

    @factory.post_generation
    def label(self, create, extracted, **kwargs):
        if create:
            SubjectLabel.objects.create(subject=self, language=kwargs.get("language", "en"),
                                        text=extracted or f"Subject {self.pk}")


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language

    # Private-use tags: each names an invented language, none a real one.
    tag = factory.Sequence(lambda n: f"qaa-x-test{n}")


def person(family: str, given: str, language: str = "en") -> Agent:
    """A person whose name has family and given parts, as citations invert it."""
    agent = AgentFactory(name=f"{given} {family}", name__language=language)
    AgentName.objects.filter(agent=agent).update(family=family, given=given)
    return agent


def link_agent(record: Record, agent: Agent, role: str = AgentRole.AUTHOR) -> RecordAgent:
    return RecordAgent.objects.create(record=record, agent=agent, role=role)


def reindex(*records: Record) -> None:
    """Rebuild search keys, as the admin and the importers do after writing records."""
    from collection.search import refresh_search_index

    refresh_search_index([record.pk for record in records])


def titled(text: str, language: str = "en", *, status: str = Status.PUBLISHED, **fields) -> Record:
    """A record with one title, indexed for search."""
    record = RecordFactory(title=text, title__language=language, status=status, **fields)
    reindex(record)
    return record


def add_title(record: Record, text: str, language: str, form: str = "original", **fields) -> Title:
    title = Title.objects.create(record=record, text=text, language=language, form=form, **fields)
    reindex(record)
    return title
